"""The admin for a Dutch practice (issue 18, item 8): no Belgian-only fields, coverage checks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from practice.models import Practice, Therapist
from tests.factories import (
    CoverageFactory,
    InsurerPackageFactory,
    PatientFactory,
    PracticeFactory,
    TherapistFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _admin_of(practice: Practice) -> Client:
    user: User = UserFactory.create(username=f"admin-{practice.country}", is_staff=True)
    user.save()
    TherapistFactory.create(user=user, practice=practice, role=Therapist.Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("country", "shown"), [("BE", True), ("NL", False)])
def test_preferential_status_is_offered_only_for_belgian_patients(
    country: str, shown: bool
) -> None:
    practice = PracticeFactory.create(country=country)
    patient = PatientFactory.create(practice=practice)
    client = _admin_of(practice)
    change = client.get(reverse("admin:practice_patient_change", args=[patient.pk]))
    add = client.get(reverse("admin:practice_patient_add"))
    assert ('name="preferential"' in change.content.decode()) is shown
    assert ('name="preferential"' in add.content.decode()) is shown


def test_coverage_of_another_years_package_is_flagged_in_list_and_patient_page() -> None:
    practice = PracticeFactory.create(country="NL")
    patient = PatientFactory.create(practice=practice)
    package = InsurerPackageFactory.create(year=2025)
    CoverageFactory.create(patient=patient, year=2026, package=package, treatments=None)
    client = _admin_of(practice)
    notice = "Coverage year 2026, package of 2025: check the insurer&#x27;s 2026 package."
    listing = client.get(reverse("admin:practice_coverage_changelist"))
    assert notice in listing.content.decode()
    change = client.get(reverse("admin:practice_patient_change", args=[patient.pk]))
    assert notice in change.content.decode()
    # One stacked block per year, not a table wider than the screen.
    assert 'class="inline-related' in change.content.decode()
