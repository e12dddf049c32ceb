"""``manage.py seed_demo``: two demo practices, logins and patients, safe to run again."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from stdnum.be import nn
from stdnum.nl import bsn

from practice.management.commands.seed_demo import bsn as make_bsn
from practice.management.commands.seed_demo import insz, spread
from practice.models import Coverage, Episode, Patient, Practice, Therapist, TreatmentSession

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Practice, User, Therapist, Patient, Episode, TreatmentSession, Coverage)
    )


def test_seed_demo_creates_both_practices_and_the_logins() -> None:
    output = _seed()
    assert set(Practice.objects.values_list("country", flat=True)) == {"BE", "NL"}
    assert User.objects.get(username="admin").is_superuser
    for code in ("be", "nl"):
        admin = Therapist.objects.get(user__username=f"{code}-admin")
        assert admin.role == Therapist.Role.ADMINISTRATOR and admin.user.is_staff
        assert Therapist.objects.filter(practice=admin.practice).count() == 3
    assert "admin / admin" in output
    assert "be-admin" in output and "nl-therapist2" in output


def test_running_seed_demo_twice_does_not_duplicate() -> None:
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first


def test_running_seed_demo_again_on_a_later_day_keeps_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 3, 2))
    _seed()
    first = _counts()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 4, 20))
    _seed()
    assert _counts() == first


def test_every_demo_national_id_is_valid() -> None:
    _seed()
    for patient in Patient.objects.select_related("practice"):
        validator = nn if patient.practice.country == "BE" else bsn
        assert validator.is_valid(patient.national_id), patient


@pytest.mark.parametrize(
    "birth", [date(1971, 9, 30), date(2004, 2, 29), date(2000, 1, 1), date(1999, 12, 31)]
)
def test_generated_insz_numbers_pass_python_stdnum(birth: date) -> None:
    assert nn.is_valid(insz(birth, 11))
    assert nn.is_valid(insz(birth, 998))


def test_generated_bsn_numbers_pass_python_stdnum() -> None:
    assert all(bsn.is_valid(make_bsn(seed)) for seed in range(50))


def test_spread_gives_distinct_days_even_when_the_span_is_short() -> None:
    days = spread(16, date(2026, 1, 1), date(2026, 1, 5))
    assert len(set(days)) == 16
    assert days[0] == date(2026, 1, 1)


def test_the_demo_shows_each_state_of_an_agreement_request_and_a_patient_from_elsewhere() -> None:
    """Issue 16: waiting for information, refused 2nd series, ending soon, came mid-year."""
    from django.utils import timezone

    from practice.models import AgreementRequest
    from reimburse.services import patient_status

    _seed()
    today = timezone.localdate()
    rows = {r.episode.external_id: r for r in AgreementRequest.objects.select_related("episode")}
    waiting, refused, ending = rows["demo-be-6-e"], rows["demo-be-7-e2"], rows["demo-be-4-e"]
    assert (waiting.kind, waiting.status, waiting.reason_code) == (
        "physiotherapy-e",
        "wfi-physiotherapist",
        "WFI_AGREE_SRV_PHYSIO_004",
    )
    assert waiting.reason_text.startswith("Justificatif manquant")
    assert (refused.kind, refused.status, refused.reason_code) == (
        "physiotherapy-common-2-and-more",
        "refusal",
        "REF_AGREE_ALL_999",
    )
    assert ending.status == "agreement" and ending.granted_until is not None
    came = Episode.objects.get(external_id="demo-be-8-e")
    assert came.prior_sessions == {str(today.year): 7}
    codes = {
        w.code
        for e in (waiting.episode, refused.episode, ending.episode)
        for w in patient_status(patient=e.patient, as_of=today).warnings
    }
    assert {"agreement_waiting", "agreement_refused", "agreement_ending"} <= codes
