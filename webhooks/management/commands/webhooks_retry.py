"""``manage.py webhooks_retry``: send the webhook deliveries that are due, in this process.

The delivery task queues its own retries where the task backend can run a task later (the
database and Redis backends). This command is the fallback, from cron every minute or few:
it sends what no task will (a backend without delayed tasks, a task lost with a worker, a
queue that was down when the event was stored). A delivery a worker is sending is skipped.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from webhooks.models import Delivery
from webhooks.services import deliveries_due, delivery_attempt


class Command(BaseCommand):
    help = "Send the webhook deliveries whose next attempt is due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="at most this many deliveries (default 500)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = dict.fromkeys(Delivery.Status.values, 0)
        for delivery_id in deliveries_due(now=timezone.now(), limit=options["limit"]):
            # The time of each attempt, not of the batch: it signs the timestamp the receiver
            # checks and sets the lease and the next delay.
            delivery = delivery_attempt(delivery_id=delivery_id, now=timezone.now())
            if delivery is not None:
                counts[delivery.status] += 1
        self.stdout.write(
            f"{counts['delivered']} delivered, {counts['pending']} to retry later, "
            f"{counts['failed']} failed"
        )
