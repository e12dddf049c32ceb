"""Official Belgian tariff tables a clinic loads without waiting for a release.

A table is a CSV in the format of the shipped ``reimburse/engine/be/data/tariffs.csv`` (read by
the engine's own reader, so both are checked alike), each row giving the fee and the insurer
amounts of one code for a period. Loaded rows are stored dated and sourced
(``LoadedTariff``, with history) and win over the shipped table on their dates; the shipped
table stays the default. Writes go through ``tariffs_load`` (one transaction, all or nothing);
``tariff_table_check`` says what a load would do and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from reimburse.engine import types as t
from reimburse.engine.be import tables
from reimburse.engine.datafile import TableError
from reimburse.models import LoadedTariff


class TariffConflict(TableError):
    """A row of the file overlaps a loaded row of the same code with other amounts."""


@dataclass(frozen=True)
class TariffTableCheck:
    """What loading a table would do: the rows to add, those already loaded, unused codes."""

    new: tuple[tables.TariffRow, ...]
    already_loaded: tuple[tables.TariffRow, ...]
    unused_codes: tuple[str, ...]  # codes the rules do not attest (loaded all the same)


def _same(row: tables.TariffRow, stored: LoadedTariff) -> bool:
    tariff = row.tariff
    return tariff is not None and (
        row.valid_from,
        row.valid_until,
        tariff.fee,
        tariff.insurer,
        tariff.insurer_preferential,
    ) == (
        stored.valid_from,
        stored.valid_until,
        stored.fee,
        stored.insurer,
        stored.insurer_preferential,
    )


def _overlaps(row: tables.TariffRow, stored: LoadedTariff) -> bool:
    starts_before_end = stored.valid_until is None or row.valid_from < stored.valid_until
    ends_after_start = row.valid_until is None or stored.valid_from < row.valid_until
    return starts_before_end and ends_after_start


def tariff_table_check(*, text: str, name: str) -> TariffTableCheck:
    """Check a tariff table against the table rules and the loaded rows; write nothing.

    Raises ``TableError`` (naming the file, line and row) for a row the shipped table's
    checks refuse or that lacks a fee or an insurer amount, and ``TariffConflict`` for a row
    overlapping a loaded row of its code with other amounts.
    """
    sources = tables.read_sources_of(tables.DATA)
    rows = tables.read_tariffs(text, name, sources, known_codes=None, complete=False)
    stored_by_code: dict[str, list[LoadedTariff]] = {}
    for stored in LoadedTariff.objects.filter(code__in={row.code for row in rows}):
        stored_by_code.setdefault(stored.code, []).append(stored)
    new, already = [], []
    for row in rows:
        clashing = [s for s in stored_by_code.get(row.code, ()) if _overlaps(row, s)]
        if any(_same(row, s) for s in clashing) and len(clashing) == 1:
            already.append(row)
            continue
        if clashing:
            first = clashing[0]
            raise TariffConflict(
                f"{name}, line {row.line} (code {row.code}, valid_from {row.valid_from})",
                f"overlaps the loaded row {first.code} from {first.valid_from} "
                f"({first.file_name}) with other amounts",
            )
        new.append(row)
    used = {c.code for c in tables.CODES if c.code is not None}
    unused = tuple(sorted({row.code for row in rows} - used))
    return TariffTableCheck(tuple(new), tuple(already), unused)


@transaction.atomic
def tariffs_load(*, text: str, name: str, by: Any = None) -> TariffTableCheck:
    """Load a tariff table: every new row or none; rows already loaded are skipped."""
    check = tariff_table_check(text=text, name=name)
    for row in check.new:
        tariff = row.tariff
        assert tariff is not None  # a loaded table's rows all have amounts (checked)
        assert tariff.insurer is not None and tariff.insurer_preferential is not None
        LoadedTariff.objects.create(
            code=row.code,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            fee=tariff.fee,
            insurer=tariff.insurer,
            insurer_preferential=tariff.insurer_preferential,
            confidence=row.confidence,
            source=row.source,
            file_name=name,
            loaded_by=by,
        )
    return check


def loaded_tariffs() -> tuple[t.Tariff, ...]:
    """Return every loaded tariff row as the engine's type (one query)."""
    return tuple(
        t.Tariff(code, fee, insurer, preferential, valid_from, valid_until, source)
        for code, fee, insurer, preferential, valid_from, valid_until, source in (
            LoadedTariff.objects.order_by("code", "valid_from").values_list(
                "code",
                "fee",
                "insurer",
                "insurer_preferential",
                "valid_from",
                "valid_until",
                "source",
            )
        )
    )
