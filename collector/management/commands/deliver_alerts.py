"""Post due alert deliveries to their webhooks (collector.alerts.deliver); scheduled every minute."""
from django.core.management.base import BaseCommand

from collector.alerts.deliver import alerts_deliver


class Command(BaseCommand):
    help = "Fan new alert events out to webhook subscriptions and post every due delivery, with retries."

    def handle(self, *, verbosity, **options):
        run = alerts_deliver()
        if verbosity:
            self.stdout.write(f"{run.dispatched} new deliveries; {run.attempted} attempted: {run.delivered} delivered, "
                              f"{run.failed} to retry, {run.dead} dead-lettered")
