"""Background tasks of the reimbursement side (django-tasks; run by the worker).

Arguments are JSON: dates travel as ISO strings.
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from practice.models import Practice
from reimburse.selectors import practice_warnings


@task()
def attention_refresh(*, as_of: str, practice_ids: list[int] | None = None) -> dict[str, int]:
    """Compute and store Needs attention of every (or the given) practice for ``as_of``.

    What ``manage.py attention_refresh`` does, for a scheduler that enqueues tasks. Returns the
    number of current warnings per practice id.
    """
    day = date.fromisoformat(as_of)
    practices = Practice.objects.order_by("pk")
    if practice_ids is not None:
        practices = practices.filter(pk__in=practice_ids)
    return {
        str(practice.pk): len(practice_warnings(practice=practice, as_of=day))
        for practice in practices
    }
