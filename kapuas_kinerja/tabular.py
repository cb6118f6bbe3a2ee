"""Tables in and out. In: rows from files people upload (BKN exports, roles CSVs), read at a bounded cost,
refused with a short list. Out: spreadsheet cells that stay text (`safe_cell`) and the .xlsx answer.

A CSV is read only as UTF-8 (with or without BOM): another encoding is refused
with the advice to save it as "CSV UTF-8", never guessed, because a guess
stores mangled names without a word. Quoting is RFC 4180's (a `""` inside a
quoted field is one quote); only the delimiter is looked for. Rows and columns
are counted as they stream, so a file of a million rows is refused at the
first row past the limit, and a refused file lists at most `LISTED` problems.
"""

import codecs
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from skp import rules

LISTED = 100
LONGEST_PROBLEM = 300
DELIMITERS = ",;\t"
SNIFF_RECORDS = 20
# A physical line this long is no export row; the csv module would split it into
# hundreds of thousands of fields before the column count could refuse it.
LONGEST_LINE = 256 * 1024
# Control characters no name or identifier holds; NUL also cannot be stored by PostgreSQL.
# Tab and line breaks are left to the cleaning of each field.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def count(n: int) -> str:
    """A number as the reader's language groups it (100.000 in Indonesian)."""
    return number_format(n, force_grouping=True)


class Problems:
    """What is wrong with a file: the first `LISTED` kept as text, the rest only counted.

    A million bad rows must not build a million lines, nor a 19 MB page: past the
    bound nothing is formatted, and `lines()` ends with "and N more".
    """

    def __init__(self, problems: Iterable[str] = ()):
        self.listed: list[str] = []
        self.count = 0
        self += problems

    def __bool__(self):
        return self.count > 0

    def __len__(self):
        return self.count

    def has_room(self) -> bool:
        return len(self.listed) < LISTED

    def append(self, problem: str) -> None:
        self.count += 1
        if self.has_room():
            text = str(problem)
            # A problem quotes the cell; a cell can be 100,000 characters long.
            self.listed.append(text if len(text) <= LONGEST_PROBLEM else text[: LONGEST_PROBLEM - 1] + "…")

    def cell(self, row: int, column: str, error) -> None:
        """`baris N, kolom C: error`, formatted only while there is room to list it."""
        if self.has_room():
            where = {"row": row, "column": column, "error": error}
            self.append(_("baris %(row)d, kolom %(column)s: %(error)s") % where)
        else:
            self.count += 1

    def __iadd__(self, problems: Iterable[str]):
        for problem in problems:
            self.append(problem)
        return self

    def lines(self) -> list[str]:
        more = self.count - len(self.listed)
        return [*self.listed, _("and %(n)s more") % {"n": count(more)}] if more else list(self.listed)


class FileRefused(Exception):
    """A file refused whole; `problems` says why, one line each, at most `LISTED` and "and N more"."""

    def __init__(self, problems: "Problems | FileRefused | Iterable[str]"):
        if isinstance(problems, FileRefused):  # the same refusal under another name, as listed
            self.problems = problems.problems
        else:
            self.problems = (problems if isinstance(problems, Problems) else Problems(problems)).lines()
        super().__init__("; ".join(self.problems[:3]))


def too_large(size: int) -> str | None:
    """Why a file of `size` bytes is refused before it is even copied (IMPORT_MAX_BYTES), or None."""
    if size <= settings.IMPORT_MAX_BYTES:
        return None
    return _("The file is %(size).1f MB; at most %(max)d MB is accepted.") % {
        "size": size / 1024 / 1024,
        "max": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }


def save_as_utf8() -> str:
    return _('Open it in Excel and save it as CSV UTF-8 ("CSV UTF-8 (Comma delimited)"), then try again.')


def utf8_problem(chunks: Iterable[bytes]) -> str | None:
    """Why these bytes are not UTF-8 text (a UTF-16 file, or the first bad byte and its line), or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1
    first = True
    for chunk in chunks:
        if first and chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _("The file is UTF-16 text (Excel's “Unicode Text”), not UTF-8.") + " " + save_as_utf8()
        first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line = lines + error.object[: error.start].count(b"\n")
            return (
                _("The file is not UTF-8 text: byte 0x%(byte)02X on line %(line)d cannot be read.")
                % {"byte": error.object[error.start], "line": line}
                + " "
                + save_as_utf8()
            )
        lines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return _("The file is not UTF-8 text: it ends in the middle of a character.") + " " + save_as_utf8()
    return None


def decode_utf8(data: bytes) -> str:
    """UTF-8 text (a BOM dropped) or FileRefused saying to save the file as CSV UTF-8."""
    problem = utf8_problem([data])
    if problem:
        raise FileRefused([problem])
    return data.decode("utf-8-sig")


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon (Excel in Indonesian) or tab: whichever splits the first records widest.

    Only the delimiter is looked for: csv.Sniffer also guesses the quoting, and
    guesses `doublequote=False` for a name like "Budi ""Ucok"" Santoso", which then
    splits in two.
    """

    def widest(delimiter):
        reader = csv.reader(sample.splitlines(), csv.excel, delimiter=delimiter)
        try:
            return max((len(row) for _n, row in zip(range(SNIFF_RECORDS), reader, strict=False)), default=0)
        except csv.Error:
            return 0

    return max(DELIMITERS, key=lambda d: (widest(d), d == ","))


def _bounded_lines(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if len(line) > LONGEST_LINE:
            raise FileRefused(
                [
                    _("line %(line)d is %(length)s characters long; no row of an export is that long.")
                    % {"line": number, "length": count(len(line))}
                ]
            )
        yield line


def csv_rows(lines: Iterable[str], *, delimiter: str, max_rows: int, max_columns: int) -> Iterator[list[str]]:
    """The records of CSV text as RFC 4180 reads them, refused past `max_rows` or `max_columns`.

    Trailing empty cells are dropped (Excel writes `;;;` for formatted columns).
    """
    reader = csv.reader(_bounded_lines(lines), csv.excel, delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problem = _("not valid CSV (%(error)s)") % {"error": error}
            raise FileRefused([_("row %(row)s: %(error)s") % {"row": number + 1, "error": problem}]) from None
        number += 1
        if number > max_rows:
            raise FileRefused([too_many_rows(max_rows)])
        while cells and cells[-1] == "":
            cells.pop()
        if len(cells) > max_columns:
            raise FileRefused(
                [
                    _("row %(row)s has %(count)s columns; at most %(max)s are read (IMPORT_MAX_COLUMNS).")
                    % {"row": number, "count": count(len(cells)), "max": count(max_columns)}
                ]
            )
        yield cells


def too_many_rows(max_rows: int) -> str:
    return _("The file has more than %(max)s rows; at most %(max)s are read (IMPORT_MAX_ROWS).") % {
        "max": count(max_rows)
    }


def control_problem(value: str) -> str | None:
    """Why a cell's text cannot be stored as it is (NUL, control characters), or None."""
    found = CONTROL.search(value)
    if found is None:
        return None
    if found[0] == "\x00":
        return _("contains a NUL character, which cannot be stored")
    return _("contains the control character U+%(code)04X") % {"code": ord(found[0])}


# A text cell starting with one of these is a formula to Excel, LibreOffice and
# Google Sheets (CSV/formula injection): such text is written with a leading
# apostrophe, the spreadsheet convention for "this is text".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should hold it: text that looks like a formula stays text; times in WIB."""
    if isinstance(value, Promise):
        value = str(value)  # a translated label
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, dt.datetime):
        # Spreadsheets have no time zones: WIB wall-clock time, as the pages show.
        return rules.aware(value).astimezone(rules.WIB).replace(tzinfo=None)
    return value


def download_name(*parts, extension: str) -> str:
    """A file name people can read and every system accepts: "Rekap-Dinas-Kesehatan-Oktober-2026.pdf"
    (the words of each part, accents dropped, joined by hyphens)."""
    words = []
    for part in parts:
        text = unicodedata.normalize("NFKD", str(part)).encode("ascii", "ignore").decode()
        words += re.findall(r"[A-Za-z0-9]+", text)
    return f"{'-'.join(words)}.{extension}"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
