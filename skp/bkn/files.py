"""Reading a BKN export (the first sheet of an .xlsx, or a CSV in UTF-8) at a cost known before reading it.

What the file is, is told from its first bytes: an .xlsx (a zip) is checked
from its archive before calamine opens it (`workbook.check_workbook`), an old
.xls or a password-protected workbook is refused with advice, and anything else
must be UTF-8 text: a CSV whose rows and columns are counted as they stream
(IMPORT_MAX_* settings). What the rows must hold is `columns`' concern.
"""

import codecs
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from kapuas_kinerja.tabular import FileRefused, csv_rows, sniff_delimiter, too_large, too_many_rows, utf8_problem

from .workbook import ZIP_MAGIC, check_workbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
TEXT_CHUNK = 1024 * 1024


class ImportRefused(FileRefused):
    """The file is refused whole; `problems` says why, one line each (at most 100, then "dan N lainnya")."""


def read_rows(path: Path) -> Iterator[list]:
    """The rows of the first sheet of an .xlsx, or of a CSV file, one at a time.

    Raises ImportRefused before reading a row when the file would cost more than
    the IMPORT_MAX_* settings allow (a CSV's rows are counted in a first pass),
    or is not UTF-8 text, .xlsx or CSV.
    """
    size = path.stat().st_size
    if size == 0:
        raise ImportRefused([_("The file is empty.")])
    if too_large(size):
        raise ImportRefused([too_large(size)])
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(ZIP_MAGIC):
        try:
            check_workbook(path)
        except FileRefused as refused:
            raise ImportRefused(refused) from None
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        except Exception as error:  # calamine raises its own types for every kind of broken file
            raise ImportRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": error}]) from None
        # The check above bounds the sheet; counting again costs nothing and guards the reader.
        return _refusals_as_import(_bounded_sheet(iter(sheet.iter_rows())))
    if head.startswith(OLE_MAGIC):
        # An OLE container: Excel 97-2003, or an .xlsx under a password.
        raise ImportRefused(
            [
                _(
                    "This is an old Excel file (.xls) or one protected by a password: save it as .xlsx "
                    "(Excel Workbook, no password) or CSV UTF-8."
                )
            ]
        )
    # UTF-16 without a BOM: every other byte of its Latin text is NUL.
    if len(head) >= 8 and max(head[0::2].count(0), head[1::2].count(0)) * 3 > len(head):
        raise ImportRefused([utf8_problem([codecs.BOM_UTF16_LE])])
    if b"\x00" in head and not _text(head):
        raise ImportRefused([_("This is not a spreadsheet (neither .xlsx nor .csv).")])
    with path.open("rb") as file:
        problem = utf8_problem(iter(lambda: file.read(TEXT_CHUNK), b""))
    if problem:
        raise ImportRefused([problem])
    return _refusals_as_import(_csv_rows(path))


def _text(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is no fault
    except UnicodeDecodeError:
        return False
    return True


def _csv_rows(path: Path) -> Iterator[list]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        delimiter = sniff_delimiter(file.read(64 * 1024))
        limits = {
            "delimiter": delimiter,
            "max_rows": settings.IMPORT_MAX_ROWS,
            "max_columns": settings.IMPORT_MAX_COLUMNS,
        }
        # Rows and columns counted first, before any row is checked: a million-row file is
        # refused at the row past the limit, in a fraction of the time its checks would take.
        file.seek(0)
        for _row in csv_rows(file, **limits):
            pass
        file.seek(0)
        yield from csv_rows(file, **limits)


def _bounded_sheet(rows) -> Iterator[list]:
    number = 0
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a value calamine cannot convert: the file's fault, not a crash
            raise ImportRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": error}]) from None
        number += 1
        if number > settings.IMPORT_MAX_ROWS:
            raise ImportRefused([too_many_rows(settings.IMPORT_MAX_ROWS)])
        yield cells


def _refusals_as_import(rows: Iterator[list]) -> Iterator[list]:
    try:
        yield from rows
    except FileRefused as refused:
        raise ImportRefused(refused) from None
