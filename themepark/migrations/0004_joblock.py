from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('themepark', '0003_ride_tier_source'),
    ]

    operations = [
        migrations.CreateModel(
            name='JobLock',
            fields=[
                ('name', models.CharField(max_length=191, primary_key=True, serialize=False)),
                ('owner', models.CharField(help_text='host, process id and purpose of the holder', max_length=255)),
                ('token', models.CharField(help_text="the holder's secret: renewals and release must match it",
                                           max_length=32)),
                ('acquired_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField(
                    help_text='the lease: free for the taking after this (database clock, UTC)')),
            ],
            options={
                'db_table': 'job_lock',
            },
        ),
    ]
