import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('themepark', '0004_joblock'),
        ('warehouse', '0007_reliability'),
    ]

    operations = [
        migrations.AlterField(
            model_name='aggregationrun',
            name='mode',
            field=models.CharField(choices=[('INCREMENTAL', 'Incremental'), ('RANGE', 'Range'), ('REBUILD', 'Rebuild'),
                                            ('REPAIR', 'Repair')], max_length=12),
        ),
        migrations.AddField(
            model_name='aggregationrun',
            name='lock_token',
            field=models.CharField(blank=True, help_text="The run's job lock: a RUNNING run whose lock is gone has died",
                                   max_length=32),
        ),
        migrations.CreateModel(
            name='ParkDayFingerprint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField()),
                ('snapshots', models.IntegerField(default=0,
                                                  help_text="Observations of the park's attractions in the park day")),
                ('down_snapshots', models.IntegerField(default=0, help_text='Those with status DOWN')),
                ('wait_total', models.BigIntegerField(default=0, help_text='Sum of their standby waits, minutes')),
                ('computed_at', models.DateTimeField()),
                ('park', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                           to='themepark.park')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('park', 'date'), name='park_day_fingerprint_once')],
            },
        ),
    ]
