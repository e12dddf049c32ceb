"""A clinic loads an official tariff table: checked like the shipped one, dated, sourced, and
preferred on its dates over the shipped table (issue 15, item 2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from practice.models import Patient
from reimburse.engine import evaluate
from reimburse.engine import types as t
from reimburse.engine.be import tables
from reimburse.engine.datafile import TableError
from reimburse.models import AttentionSnapshot, LoadedTariff
from reimburse.services import patient_case, patient_status, patients_for_evaluation
from reimburse.tariffs import (
    TariffConflict,
    loaded_tariffs,
    tariff_table_check,
    tariffs_load,
)
from tests.factories import (
    EpisodeFactory,
    PatientFactory,
    PrescriptionFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tables" / "riziv-2026.csv"
HEADER = (
    "code,valid_from,valid_until,fee,insurer,patient,insurer_preferential,"
    "patient_preferential,confidence,source,where_to_look,gap_before\n"
)


def _a_2026_session() -> Patient:
    episode = EpisodeFactory.create(patient__preferential=False)
    PrescriptionFactory.create(episode=episode, date=date(2026, 3, 2), sessions=9)
    SessionFactory.create(episode=episode, date=date(2026, 3, 10))
    return episode.patient


def _amounts(patient: Patient) -> t.BeAmounts | None:
    (outcome,) = patient_status(patient=patient, as_of=date(2026, 3, 31)).sessions
    assert outcome.code == "567011"
    assert not isinstance(outcome.amounts, t.NlAmounts)
    return outcome.amounts


def test_load_tariffs_prices_a_session_the_shipped_table_cannot() -> None:
    patient = _a_2026_session()
    assert _amounts(patient) is None  # 2026 is not in the shipped table

    out = StringIO()
    call_command("load_tariffs", str(FIXTURE), "--by", UserFactory.create().username, stdout=out)

    assert _amounts(patient) == t.BeAmounts(Decimal("31.50"), Decimal("25.25"), Decimal("6.25"))
    assert "loaded 3 rows" in out.getvalue()
    assert "560092" in out.getvalue()  # a code the rules do not attest: listed, loaded
    row = LoadedTariff.objects.get(code="567011")
    assert (row.valid_from, row.valid_until, row.file_name) == (
        date(2026, 1, 1),
        date(2027, 1, 1),
        "riziv-2026.csv",
    )
    assert row.loaded_by is not None and row.history.count() == 1


def test_dry_run_writes_nothing() -> None:
    out = StringIO()
    call_command("load_tariffs", str(FIXTURE), "--dry-run", stdout=out)
    assert "would load 3 rows" in out.getvalue()
    assert not LoadedTariff.objects.exists()


def test_loading_the_same_table_again_skips_every_row() -> None:
    text = FIXTURE.read_text()
    tariffs_load(text=text, name="a.csv")
    again = tariffs_load(text=text, name="b.csv")
    assert (len(again.new), len(again.already_loaded)) == (0, 3)
    assert LoadedTariff.objects.count() == 3


def test_a_row_overlapping_a_loaded_one_with_other_amounts_is_refused_and_nothing_loads() -> None:
    tariffs_load(text=FIXTURE.read_text(), name="a.csv")
    other = HEADER + (
        "560055,2026-01-01,,31.50,5.00,26.50,8.75,22.75,O,https://example.org/t,,\n"
        "567011,2026-06-01,,32.00,25.75,6.25,29.50,2.50,O,https://example.org/t,,\n"
    )
    with pytest.raises(TariffConflict, match=r"b.csv, line 3 \(code 567011.*overlaps"):
        tariffs_load(text=other, name="b.csv")
    assert not LoadedTariff.objects.filter(code="560055").exists()  # all or nothing


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("567011,2026-01-01,,31.50,,,,,O,https://example.org/t,,", "no insurer"),
        ("567011,2026-01-01,,,,,,,,https://example.org/t,look there,", "no fee"),
        ("567011,2026-01-01,,31.50,25.00,6.25,29.00,2.50,O,https://example.org/t,,", "≠"),
        ("567011,2026-01-01,,31.50,25.25,6.25,29.00,2.50,O,,,", "no source"),
        ("567011,2026-02-30,,31.50,25.25,6.25,29.00,2.50,O,https://example.org/t,,", "not a date"),
        ("5670,2026-01-01,,31.50,25.25,6.25,29.00,2.50,O,https://example.org/t,,", "six-digit"),
    ],
)
def test_a_table_the_checks_refuse_names_the_row(row: str, problem: str) -> None:
    with pytest.raises(TableError, match=rf"x.csv, line 2 .*{problem}"):
        tariff_table_check(text=HEADER + row + "\n", name="x.csv")


def test_the_command_reports_a_refused_table_as_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "567011,2026-01-01,,31.50,,,,,O,https://example.org/t,,\n")
    with pytest.raises(CommandError, match=r"bad\.csv, line 2"):
        call_command("load_tariffs", str(bad))


def test_a_loaded_row_wins_only_on_its_own_dates() -> None:
    loaded = (
        t.Tariff(
            "567011",
            Decimal("40.00"),
            Decimal("33.75"),
            Decimal("37.50"),
            date(2025, 3, 1),
            date(2025, 4, 1),
            "x",
        ),
    )
    assert tables.tariff_for("567011", date(2025, 3, 10), loaded) == loaded[0]
    shipped = tables.tariff_for("567011", date(2025, 4, 1), loaded)
    assert shipped is not None and shipped.fee == Decimal("30.80")


def test_the_bridge_reads_loaded_tariffs_for_belgium_only() -> None:
    tariffs_load(text=FIXTURE.read_text(), name="a.csv")
    be = PatientFactory.create(practice__country="BE")
    nl = PatientFactory.create(practice__country="NL")
    for patient, count in ((be, 3), (nl, 0)):
        loaded = patients_for_evaluation(Patient.objects.filter(pk=patient.pk)).get()
        assert len(patient_case(patient=loaded, as_of=date(2026, 1, 1)).tariffs) == count
    assert len(loaded_tariffs()) == 3


def test_loading_a_tariff_makes_belgian_needs_attention_lists_stale() -> None:
    be = PatientFactory.create(practice__country="BE")
    nl = PatientFactory.create(practice__country="NL")
    before = {p.pk: AttentionSnapshot.objects.get(patient=p).version for p in (be, nl)}

    tariffs_load(text=FIXTURE.read_text(), name="a.csv")

    assert AttentionSnapshot.objects.get(patient=be).version > before[be.pk]
    assert AttentionSnapshot.objects.get(patient=nl).version == before[nl.pk]


def test_simulate_keeps_the_shipped_table() -> None:
    """The engine alone (simulate) sees no loaded rows: a 2026 session has no amounts."""
    tariffs_load(text=FIXTURE.read_text(), name="a.csv")
    case = t.Case(
        country="BE",
        as_of=date(2026, 3, 31),
        patient=t.Patient(birth_date=date(1970, 1, 1)),
        episodes=(
            t.Episode(
                "back", "courante", prescriptions=(t.Prescription("rx", date(2026, 3, 2), 9),)
            ),
        ),
        sessions=(t.Session("s1", date(2026, 3, 10), "back"),),
    )
    assert evaluate(case).sessions[0].amounts is None
