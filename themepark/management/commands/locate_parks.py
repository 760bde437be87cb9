"""Backfill park locations: city and region from coordinates (offline), else the timezone's country."""
from django.core.management.base import BaseCommand

from themepark.location import fill_location
from themepark.models import Park


class Command(BaseCommand):
    help = ("Fill each park's city, region and country from its coordinates (offline reverse geocoding) "
            "or, without coordinates, the country of its timezone. Places entered in the admin are kept "
            "unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Also replace places entered in the admin")
        parser.add_argument("--park", type=int, action="append", help="Only this park id (repeatable)")

    def handle(self, *args, **options):
        parks = Park.objects.all()
        if options["park"]:
            parks = parks.filter(pk__in=options["park"])
        changed = 0
        for park in parks:
            if fill_location(park, force=options["force"]):
                park.save(update_fields=["city", "region", "country", "location_source"])
                changed += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{park.pk} {park.name}: {park.location} ({park.location_source})")
        self.stdout.write(f"{changed} of {parks.count()} park locations updated")
