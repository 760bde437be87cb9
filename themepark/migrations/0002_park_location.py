from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("themepark", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="park",
            name="city",
            field=models.CharField(blank=True, help_text="Nearest town or city", max_length=100),
        ),
        migrations.AddField(
            model_name="park",
            name="region",
            field=models.CharField(blank=True, help_text="State, province or region", max_length=100),
        ),
        migrations.AddField(
            model_name="park",
            name="location_source",
            field=models.CharField(
                blank=True,
                choices=[("SOURCE", "Data source"), ("COORDINATES", "Reverse-geocoded from coordinates"),
                         ("TIMEZONE", "Country of the park's timezone"), ("MANUAL", "Entered in the admin")],
                help_text="Where city, region and country come from; MANUAL places are never overwritten",
                max_length=12),
        ),
    ]
