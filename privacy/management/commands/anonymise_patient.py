"""Anonymise one patient by id, also one already deleted (whose history still holds their data).

The admin's action covers the patients on its list; a deleted patient is on no list, yet
django-simple-history keeps every version of their rows. This command runs the same service
for them, in the name of a superuser or of the practice's clinic administrator::

    manage.py anonymise_patient 42 --user admin --lawful-request "written request of 2 March 2026"
    manage.py anonymise_patient 42 --user admin --retention-over
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from practice.models import Therapist
from privacy import services
from privacy.models import PrivacyLogEntry


class Command(BaseCommand):
    help = "Anonymise one patient (also a deleted one) in their records, history and admin log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("patient_id", type=int)
        parser.add_argument("--user", required=True, help="who does it (logged)")
        ground = parser.add_mutually_exclusive_group(required=True)
        ground.add_argument("--retention-over", action="store_true")
        ground.add_argument("--lawful-request", metavar="REFERENCE")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model()._default_manager.filter(username=options["user"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"no active user {options['user']!r}")
        if user.is_superuser:
            practice = None
        else:
            therapist = Therapist.objects.filter(
                user=user, role=Therapist.Role.ADMINISTRATOR
            ).first()
            if therapist is None:
                raise CommandError("the user must be a superuser or a clinic administrator")
            practice = therapist.practice
        lawful = options["lawful_request"]
        try:
            done = services.patient_anonymise(
                patient_id=options["patient_id"],
                practice=practice,
                user=user,
                at=timezone.now(),
                ground=(
                    PrivacyLogEntry.Ground.LAWFUL_REQUEST
                    if lawful is not None
                    else PrivacyLogEntry.Ground.RETENTION_OVER
                ),
                reference=lawful or "",
            )
        except services.NotYourPatient as error:
            raise CommandError(
                f"patient {options['patient_id']} is not in your practice"
            ) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if done.already:
            self.stdout.write(f"patient {done.patient_id} was already anonymised")
        else:
            self.stdout.write(f"patient {done.patient_id} anonymised")
