"""Reading the files a clinic imports: the CSVs Excel writes in Belgium and the Netherlands, and
XLSX workbooks, with bounded size; a file that cannot be read is refused with a sentence.

Excel writes "CSV" with semicolons where the decimal separator is a comma (BE, NL) and in the
Windows code page (Windows-1252) unless "CSV UTF-8" is chosen; "Unicode text" is UTF-16 with
tabs. All of these are read. Limits keep a preview inside one web request (about 8 ms a row
on the reviewed 2-core machine, and gunicorn's 30 s timeout): bigger files are refused with
the limit in the sentence rather than ending in a worker timeout.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from import_export.tmp_storages import TempFolderStorage

MAX_ROWS = 3_000
MAX_BYTES = 5 * 1024 * 1024  # a 3,000-row CSV of patients is about 200 KB
MAX_XLSX_UNPACKED = 50 * 1024 * 1024  # the sheets' XML, against "zip bombs"
TMP_PREFIX = "physio-import-"
TMP_MAX_AGE = 24 * 60 * 60  # seconds an unconfirmed preview's file is kept


class UnreadableFile(ValueError):
    """The file cannot be imported; the message is a sentence for the clinic administrator."""


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(rows)s rows: split it into files of at most %(rows)s rows.")
        % {"rows": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def _too_big() -> UnreadableFile:
    return UnreadableFile(
        _("The file is larger than %(mb)s MB: split it into smaller files.")
        % {"mb": MAX_BYTES // (1024 * 1024)}
    )


def decode_text(data: bytes) -> str:
    """Return the text of a CSV in UTF-8 (with or without BOM), UTF-16 (BOM) or Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            # Excel's plain "CSV" here; it also reads Latin-1 files' letters (é, ë, ç).
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    raise UnreadableFile(
        _(
            "The characters of this file could not be read. In Excel, save it as "
            "CSV UTF-8 and import it again."
        )
    )


def read_csv(data: bytes) -> tablib.Dataset:
    """Read a CSV separated by commas, semicolons or tabs (whichever the header line uses)."""
    if len(data) > MAX_BYTES:
        raise _too_big()
    text = decode_text(data)
    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    dataset = tablib.Dataset()
    try:
        headers = next(rows)
    except (StopIteration, csv.Error):
        raise UnreadableFile(_("The file is empty.")) from None
    dataset.headers = [header.strip() for header in headers]
    try:
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(dataset) >= MAX_ROWS:
                raise _too_many_rows()
            if len(row) != len(headers):
                raise UnreadableFile(
                    _("Line %(line)s has %(cells)s cells where the header line has %(columns)s.")
                    % {"line": number, "cells": len(row), "columns": len(headers)}
                )
            dataset.append(row)
    except csv.Error:
        raise UnreadableFile(_("The file is not a valid CSV file.")) from None
    return dataset


def read_xlsx(data: bytes) -> tablib.Dataset:
    """Read the first sheet of a workbook, counting rows itself (never trusting its own size)."""
    import openpyxl

    if len(data) > MAX_BYTES:
        raise _too_big()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise _too_big()
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        if isinstance(error, UnreadableFile):
            raise
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx).")) from None
    try:
        sheet = book.active
        if sheet is None:
            raise UnreadableFile(_("The file is empty."))
        rows = sheet.iter_rows(values_only=True)
        dataset = tablib.Dataset()
        try:
            dataset.headers = [("" if v is None else str(v)).strip() for v in next(rows)]
        except StopIteration:
            raise UnreadableFile(_("The file is empty.")) from None
        for row in rows:
            if all(value is None for value in row):
                continue
            if len(dataset) >= MAX_ROWS:
                raise _too_many_rows()
            cells = list(row)[: len(dataset.headers)]
            dataset.append(cells + [None] * (len(dataset.headers) - len(cells)))
        return dataset
    finally:
        book.close()


class ClinicCSV(CSV):
    """CSV as Excel writes it in Belgium and the Netherlands (read as bytes, decoded here)."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        data = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode()
        return read_csv(data)


class ClinicXLSX(XLSX):
    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        return read_xlsx(in_stream)


class ImportTempStorage(TempFolderStorage):
    """import-export's temporary file of a preview, recognisable by its name for the clean-up."""

    name: str | None

    def _open(self, mode: str = "r") -> Any:
        if self.name:
            return super()._open(mode)
        # Returned open, as import-export's own storage does; its caller closes it.
        tmp_file = tempfile.NamedTemporaryFile(prefix=TMP_PREFIX, delete=False)  # noqa: SIM115
        self.name = os.path.basename(tmp_file.name)
        return tmp_file


def remove_preview_file(name: str) -> None:
    """Delete a preview's temporary file (a bare name in the temp folder), if it is still there."""
    if name and name == os.path.basename(name) and name.startswith(TMP_PREFIX):
        Path(tempfile.gettempdir(), name).unlink(missing_ok=True)


def remove_expired_preview_files(*, now: float | None = None) -> list[str]:
    """Delete the preview files older than 24 hours (never confirmed); return their names."""
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
