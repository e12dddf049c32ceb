"""One patient the rules cannot evaluate does not break the practice's Needs attention list."""

from __future__ import annotations

from datetime import date

import pytest

from reimburse.selectors import practice_warnings
from tests.factories import EpisodeFactory, PatientFactory, PracticeFactory, SessionFactory

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 6, 30)


def test_an_unknown_category_is_one_blocking_rules_unknown_row_and_the_others_still_show() -> None:
    practice = PracticeFactory.create(country="BE")
    fine = PatientFactory.create(practice=practice, last_name="Aerts")
    SessionFactory.create(episode=EpisodeFactory.create(patient=fine), date=date(2025, 3, 3))
    broken = PatientFactory.create(practice=practice, last_name="Bral")
    odd = EpisodeFactory.create(patient=broken, category="hydrotherapy")
    SessionFactory.create(episode=odd, date=date(2025, 3, 3))

    rows = practice_warnings(practice=practice, as_of=AS_OF)

    theirs = [r for r in rows if r.patient_id == broken.pk]
    assert [(r.code, r.severity) for r in theirs] == [("rules_unknown", "blocking")]
    assert theirs[0].params["problem"] == "category"
    assert theirs[0].params["value"] == "hydrotherapy"
    # The other patient's warnings are those of its own evaluation: no prescription (P1).
    assert [r.code for r in rows if r.patient_id == fine.pk] == ["prescription_missing"]
