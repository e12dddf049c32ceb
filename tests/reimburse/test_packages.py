"""The insurer package catalogue seeded from the domain note (netherlands-coverage.md §4.2)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps

from reimburse.models import InsurerPackage

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("reimburse.migrations.0002_seed_insurer_packages")


def _package(insurer: str, name: str, year: int) -> InsurerPackage:
    return InsurerPackage.objects.get(insurer=insurer, name=name, year=year)


def test_every_package_row_of_the_note_is_seeded() -> None:
    assert InsurerPackage.objects.count() == len(seed_migration.PACKAGES)


@pytest.mark.parametrize(
    ("insurer", "name", "year", "treatments"),
    [
        ("Zilveren Kruis", "Aanvullend Handel 1 ster", 2025, 9),
        ("Zilveren Kruis", "Aanvullend 4 sterren", 2024, 36),  # "was 36 in 2024"
        ("Zilveren Kruis", "Aanvullend 4 sterren", 2025, 32),
        ("CZdirect", "Fysio 3+", 2025, 3),
        ("Menzis", "Extra Aanvullend", 2025, 6),
        ("Menzis", "ExtraVerzorgd 3", 2025, 20),  # cut from 32 to 20
        ("a.s.r.", "Doorgaan Basis", 2025, 9),
        ("ONVZ", "Bewuste Keuze Start", 2024, 3),
        ("ONVZ", "Bewuste Keuze Extra", 2024, 6),
        ("ONVZ", "Vrije Keuze Extrafit", 2017, 9),
        ("Salland", "Start", 2024, 6),
        ("Salland", "Top", 2024, 25),
    ],
)
def test_treatments_per_year_are_as_the_note_states(
    insurer: str, name: str, year: int, treatments: int
) -> None:
    package = _package(insurer, name, year)
    assert package.treatments == treatments
    assert package.budget is None


def test_cz_direct_fysio_3_plus_carries_over_at_most_3() -> None:
    assert _package("CZdirect", "Fysio 3+", 2025).carry_over_max == 3  # A8


def test_menzis_extra_aanvullend_pays_the_first_20_of_a_chronic_indication() -> None:
    assert _package("Menzis", "Extra Aanvullend", 2025).pays_chronic_first_20  # A3
    others = InsurerPackage.objects.exclude(insurer="Menzis", name="Extra Aanvullend")
    assert not others.filter(pays_chronic_first_20=True).exists()


@pytest.mark.parametrize("name", ["Plus", "Top"])
def test_salland_plus_and_top_allow_at_most_9_manual_therapy(name: str) -> None:
    assert _package("Salland", name, 2024).manual_therapy_limit == 9


def test_undated_and_uncertain_rows_are_not_verified() -> None:
    assert not _package("Zilveren Kruis", "Aanvullend Handel 1 ster", 2025).verified  # undated
    assert not _package("Salland", "Extra", 2024).verified  # URL 2021, text 2024
    assert not _package("DSW", "AV-Compact", 2024).verified  # name not in the source
    assert _package("Zilveren Kruis", "Aanvullend 4 sterren", 2025).verified  # stated 2025


def test_every_package_says_dry_needling_counts_as_one_ordinary_session() -> None:
    for package in InsurerPackage.objects.all():
        assert "Dry needling is an ordinary physiotherapy session" in package.notes, package
        assert "(D1" in package.notes


def test_every_package_cites_its_source_and_check_date() -> None:
    for package in InsurerPackage.objects.all():
        assert package.source.startswith("https://"), package
        assert package.checked_on == date(2026, 11, 21)


def test_the_seed_is_reversible_and_repeatable() -> None:
    own = InsurerPackage.objects.create(
        insurer="Example Zorg",
        name="Own",
        year=2025,
        treatments=5,
        source="https://example.org",
        checked_on=date(2025, 1, 1),
    )
    seed_migration.unseed(apps, None)
    assert list(InsurerPackage.objects.all()) == [own]  # only the seeded rows go
    seed_migration.seed(apps, None)
    seed_migration.seed(apps, None)  # running forward again adds nothing
    assert InsurerPackage.objects.count() == len(seed_migration.PACKAGES) + 1
