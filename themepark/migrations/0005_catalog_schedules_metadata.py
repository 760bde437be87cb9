"""Park schedules and entity metadata (with its versions) join the catalog: every app reads them.
The tables stay where they are (collector_parkschedule, collector_entitymetadata,
collector_entitymetadataversion) with their rows; only Django's idea of which app owns the models
changes, here and in collector 0004."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('themepark', '0004_joblock'),
        ('collector', '0002_metadata_and_runs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='EntityMetadata',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(blank=True, max_length=255)),
                        ('latitude', models.FloatField(blank=True, null=True)),
                        ('longitude', models.FloatField(blank=True, null=True)),
                        ('entity_type', models.CharField(blank=True, max_length=16)),
                        ('attraction_type', models.CharField(blank=True, max_length=16)),
                        ('min_height_cm', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('max_height_cm', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('indoor_outdoor', models.CharField(choices=[('INDOOR', 'Indoor'), ('OUTDOOR', 'Outdoor'), ('HYBRID', 'Hybrid'), ('UNKNOWN', 'Unknown')], default='UNKNOWN', max_length=8)),
                        ('tags', models.JSONField(blank=True, default=list)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('content_hash', models.CharField(max_length=64)),
                        ('checked_at', models.DateTimeField(help_text='When the document was last fetched')),
                        ('changed_at', models.DateTimeField(help_text='When the current version was first seen')),
                        ('ride', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='metadata', to='themepark.ride')),
                    ],
                    options={
                        'verbose_name_plural': 'entity metadata',
                        'db_table': 'collector_entitymetadata',
                    },
                ),
                migrations.CreateModel(
                    name='EntityMetadataVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField()),
                        ('data', models.JSONField(help_text='The versioned fields as they were')),
                        ('content_hash', models.CharField(max_length=64)),
                        ('recorded_at', models.DateTimeField()),
                        ('metadata', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='themepark.entitymetadata')),
                    ],
                    options={
                        'db_table': 'collector_entitymetadataversion',
                        'ordering': ['metadata', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='ParkSchedule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(help_text='The park-local date the entry belongs to')),
                        ('schedule_type', models.CharField(choices=[('OPERATING', 'Operating'), ('TICKETED_EVENT', 'Ticketed Event'), ('PRIVATE_EVENT', 'Private Event'), ('EXTRA_HOURS', 'Extra Hours'), ('INFO', 'Info')], max_length=16)),
                        ('opening_time', models.DateTimeField(blank=True, null=True)),
                        ('closing_time', models.DateTimeField(blank=True, null=True)),
                        ('description', models.CharField(blank=True, max_length=255)),
                        ('purchases', models.JSONField(blank=True, default=list)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('park', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='schedules', to='themepark.park')),
                    ],
                    options={
                        'db_table': 'collector_parkschedule',
                        'ordering': ['park', 'date', 'opening_time'],
                    },
                ),
                migrations.AddIndex(
                    model_name='entitymetadata',
                    index=models.Index(fields=['latitude', 'longitude'], name='metadata_location_idx'),
                ),
                migrations.AddConstraint(
                    model_name='entitymetadataversion',
                    constraint=models.UniqueConstraint(fields=('metadata', 'version'), name='metadata_version_once'),
                ),
                migrations.AddIndex(
                    model_name='parkschedule',
                    index=models.Index(fields=['park', 'date'], name='schedule_park_date_idx'),
                ),
                migrations.AddConstraint(
                    model_name='parkschedule',
                    constraint=models.UniqueConstraint(fields=('park', 'date', 'schedule_type', 'opening_time'), name='park_schedule_entry_once'),
                ),
            ],
        ),
    ]
