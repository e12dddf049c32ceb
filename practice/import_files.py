"""Reading the files a clinic imports: the CSVs Excel writes in Belgium and the Netherlands, and
XLSX workbooks, streamed from disk with bounded memory; a file that cannot be read is refused
with a sentence.

Excel writes "CSV" with semicolons where the decimal separator is a comma (BE, NL) and in the
Windows code page (Windows-1252) unless "CSV UTF-8" is chosen; "Unicode text" is UTF-16 with
tabs. All of these are read. ``inspect`` is the quick check made while the file is uploaded
(size, characters, separator, header line); ``chunks`` then reads the rows a few hundred at a
time for the task worker, so neither the file's text nor its rows are ever all in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

# A clinic's whole patient list or a year of sessions in one file. The rows are checked and
# imported by the task worker, not in a web request (README "Imports and exports": measured
# times); the byte limits follow from the row limit with long names and ids.
MAX_ROWS = 100_000
MAX_BYTES = 50 * 1024 * 1024  # a 100,000-row CSV of patients is about 7 MB
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # the sheets' XML, against "zip bombs"
READ_BLOCK = 1024 * 1024
# The previous importer's temporary files (system temp folder), still removed by the clean-up.
TMP_PREFIX = "physio-import-"
TMP_MAX_AGE = 24 * 60 * 60  # seconds an unconfirmed preview's file is kept


class UnreadableFile(ValueError):
    """The file cannot be imported; the message is a sentence for the clinic administrator."""


@dataclass(frozen=True)
class FileShape:
    """What the quick check found: how to read the file's rows, and its header line."""

    file_format: str  # "csv" or "xlsx"
    headers: tuple[str, ...]
    encoding: str = ""
    delimiter: str = ","


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(rows)s rows: split it into files of at most %(rows)s rows.")
        % {"rows": _thousands(MAX_ROWS)}
    )


def _too_big() -> UnreadableFile:
    return UnreadableFile(
        _("The file is larger than %(mb)s MB: split it into smaller files.")
        % {"mb": MAX_BYTES // (1024 * 1024)}
    )


def _unreadable_characters() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The characters of this file could not be read. In Excel, save it as "
            "CSV UTF-8 and import it again."
        )
    )


def _empty() -> UnreadableFile:
    return UnreadableFile(_("The file is empty."))


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as stream:
            while block := stream.read(READ_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def csv_encoding(path: Path) -> str:
    """Return the encoding of a CSV: UTF-8 (with or without BOM), UTF-16 (BOM) or Windows-1252.

    The whole file is decoded once, a block at a time, so a bad byte near the end is found
    here and not halfway through an import.
    """
    with path.open("rb") as stream:
        start = stream.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif start.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    else:
        with path.open("rb") as stream:
            while block := stream.read(READ_BLOCK):
                if b"\x00" in block:
                    raise _unreadable_characters()
        # Excel's plain "CSV" here is Windows-1252; it also reads Latin-1 files' letters.
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    raise _unreadable_characters()


def _open_text(path: Path, encoding: str) -> IO[str]:
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")


def _inspect_csv(path: Path) -> FileShape:
    encoding = csv_encoding(path)
    with _open_text(path, encoding) as text:
        header_line = text.readline()
    delimiter = max((";", ",", "\t"), key=header_line.count)
    try:
        headers = next(csv.reader([header_line], delimiter=delimiter))
    except (StopIteration, csv.Error):
        raise _empty() from None
    if not any(header.strip() for header in headers):
        raise _empty()
    return FileShape(
        file_format="csv",
        headers=tuple(header.strip() for header in headers),
        encoding=encoding,
        delimiter=delimiter,
    )


def _csv_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list[Any]]]:
    with _open_text(path, shape.encoding) as text:
        rows = csv.reader(text, delimiter=shape.delimiter)
        try:
            next(rows)  # the header line
            for number, row in enumerate(rows, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(shape.headers):
                    raise UnreadableFile(
                        _(
                            "Line %(line)s has %(cells)s cells where the header line has "
                            "%(columns)s."
                        )
                        % {"line": number, "cells": len(row), "columns": len(shape.headers)}
                    )
                yield number, row
        except csv.Error:
            raise UnreadableFile(_("The file is not a valid CSV file.")) from None


def _not_a_workbook() -> UnreadableFile:
    return UnreadableFile(_("The file is not an Excel workbook (.xlsx)."))


def _open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise _too_big()
        # Read-only: the sheet's XML is parsed as a stream, a row at a time.
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise _not_a_workbook() from None


def _inspect_xlsx(path: Path) -> FileShape:
    book = _open_workbook(path)
    try:
        sheet = book.active
        if sheet is None:
            raise _empty()
        try:
            first = next(sheet.iter_rows(max_row=1, values_only=True))
        except StopIteration:
            raise _empty() from None
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise _not_a_workbook() from None
        headers = tuple(("" if v is None else str(v)).strip() for v in first)
        while headers and not headers[-1]:
            headers = headers[:-1]
        if not headers:
            raise _empty()
        return FileShape(file_format="xlsx", headers=headers)
    finally:
        book.close()


def _xlsx_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list[Any]]]:
    # The rows are counted here, never taken from the workbook's own <dimension>.
    book = _open_workbook(path)
    width = len(shape.headers)
    try:
        sheet = book.active
        if sheet is None:
            return
        rows = sheet.iter_rows(min_row=2, values_only=True)
        try:
            for number, row in enumerate(rows, start=2):
                if all(value is None for value in row):
                    continue
                cells = list(row)[:width]
                yield number, cells + [None] * (width - len(cells))
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise _not_a_workbook() from None
    finally:
        book.close()


def inspect(path: Path, file_format: str) -> FileShape:
    """Check quickly that a stored upload can be read: size, characters, separator, header."""
    if path.stat().st_size > MAX_BYTES:
        raise _too_big()
    if path.stat().st_size == 0:
        raise _empty()
    if file_format == "xlsx":
        return _inspect_xlsx(path)
    return _inspect_csv(path)


def rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number as in the spreadsheet, cells) of every non-empty data row.

    Raises ``UnreadableFile`` past ``MAX_ROWS`` rows or at a row that cannot be read.
    """
    found = _xlsx_rows(path, shape) if shape.file_format == "xlsx" else _csv_rows(path, shape)
    for count, numbered in enumerate(found, start=1):
        if count > MAX_ROWS:
            raise _too_many_rows()
        yield numbered


def count_rows(path: Path, shape: FileShape) -> int:
    """Read the whole file once without keeping its rows: the total, or ``UnreadableFile``."""
    return sum(1 for _row in rows(path, shape))


def chunks(path: Path, shape: FileShape, size: int) -> Iterator[tuple[list[int], tablib.Dataset]]:
    """Yield the rows ``size`` at a time, as datasets with the header, beside their numbers."""
    numbers: list[int] = []
    dataset = tablib.Dataset(headers=list(shape.headers))
    for number, cells in rows(path, shape):
        numbers.append(number)
        dataset.append(cells)
        if len(numbers) == size:
            yield numbers, dataset
            numbers, dataset = [], tablib.Dataset(headers=list(shape.headers))
    if numbers:
        yield numbers, dataset


# The upload form's formats, as django-import-export lists them ("format" is their index).
class ClinicCSV(CSV):
    """CSV as Excel writes it in Belgium and the Netherlands (read by this module)."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"


class ClinicXLSX(XLSX):
    """An Excel workbook; its first sheet is read."""


FORMAT_NAMES = {ClinicCSV: "csv", ClinicXLSX: "xlsx"}


def remove_expired_preview_files(*, now: float | None = None) -> list[str]:
    """Delete the previous importer's preview files older than 24 hours; return their names."""
    now = time.time() if now is None else now
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{TMP_PREFIX}*"):
        try:
            if now - path.stat().st_mtime > TMP_MAX_AGE:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:
            continue
    return sorted(removed)


class ClinicImportForm(ImportForm):
    """import-export's upload form, refusing a file over the limit before anything reads it."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        if upload is not None and upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(str(_too_big()))
        return upload
