from django.core.management.base import BaseCommand

from integrations.webhooks import deliveries_sweep


class Command(BaseCommand):
    help = (
        "Enqueue every pending webhook delivery again, each for when it is due (run "
        "when a worker starts, so a delivery whose task was never enqueued goes out)."
    )

    def handle(self, *args, **options):
        count = deliveries_sweep()
        self.stdout.write(f"{count} pending webhook deliveries enqueued.")
