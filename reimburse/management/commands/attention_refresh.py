"""``manage.py attention_refresh``: compute Needs attention ahead of the first reader.

Needs attention reuses each patient's stored warnings until their records change or the day
comes on which they may change by themselves, but a deploy that changed the rules makes every
stored list stale (so does 1 January, and each day the Dutch lists), and the first page then
computes the whole practice (about two seconds at 5,000 patients). Run this shortly after
midnight (Europe/Brussels) and after each deploy, from cron or the deploy script, so that
nobody waits for it. Safe at any time and while the practice works: it only does what a read
of the page does.

``--enqueue`` computes nothing here: it puts one ``attention_refresh`` task per practice on
the task queue, so that every worker (``manage.py db_worker``, or ``rqworker`` with the Redis
backend) takes practices as it frees up.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from practice.models import Practice
from reimburse.selectors import practice_warnings
from reimburse.tasks import attention_refresh


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r}; expected YYYY-MM-DD") from None


class Command(BaseCommand):
    help = (
        "Compute and store every practice's Needs attention list for a day (default: today), "
        "so that the first reader after midnight or a deploy does not wait for it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=_day, default=None, help="the day (YYYY-MM-DD); default: today"
        )
        parser.add_argument(
            "--practice",
            type=int,
            action="append",
            default=None,
            metavar="ID",
            help="only this practice (repeatable); default: every practice",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="enqueue one attention_refresh task per practice for the workers instead",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        practices = Practice.objects.order_by("pk")
        wanted: list[int] | None = options["practice"]
        if wanted:
            practices = practices.filter(pk__in=wanted)
            missing = sorted(set(wanted) - {p.pk for p in practices})
            if missing:
                raise CommandError(f"no practice with id {', '.join(map(str, missing))}")
        if options["enqueue"]:
            # One task a practice: a practice is the unit two workers must not share.
            ids = list(practices.values_list("pk", flat=True))
            for pk in ids:
                attention_refresh.enqueue(as_of=as_of.isoformat(), practice_ids=[pk])
            self.stdout.write(
                f"{len(ids)} attention_refresh task(s) enqueued for {as_of.isoformat()}"
            )
            return
        for practice in practices:
            began = time.perf_counter()
            rows = practice_warnings(practice=practice, as_of=as_of)
            seconds = time.perf_counter() - began
            self.stdout.write(
                f"{practice.name} (id {practice.pk}): {len(rows)} warning(s) as of "
                f"{as_of.isoformat()}, {seconds:.1f} s"
            )
