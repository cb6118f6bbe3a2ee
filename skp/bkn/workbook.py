"""An .xlsx checked from its archive before calamine opens it, so that its cost is known before it is read.

A small file can cost gigabytes: an .xlsx of 1.5 KB may hold one cell at
XFD1048576, and python-calamine lays a sheet out as rows x columns cells; a zip
of 200 KB may unpack to gigabytes. So the unpacked size of its parts is checked
(declared, then counted while unpacking them once, so a part that lies about
its size is caught), their compression ratio, the dimension the sheet declares
and the cells it really holds (IMPORT_MAX_* settings). A refusal is a
FileRefused; the reader of exports names it as its own.
"""

import re
import string
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from kapuas_kinerja.tabular import FileRefused, count

ZIP_MAGIC = b"PK\x03\x04"
# A part this small cannot cost much, whatever its ratio (XML of repeated cells packs well).
RATIO_FLOOR = 1024 * 1024
INFLATE_CHUNK = 1024 * 1024
# Longer than any row of an export's XML (100 cells of Excel's longest text); the scan's own bound.
LONGEST_ROW_XML = 16 * 1024 * 1024
PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
DIMENSION = re.compile(PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
CELL = re.compile(PREFIX + rb"c[\s/>]")
CELL_REF = re.compile(PREFIX + rb"c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,4})([0-9]{1,8})[\"']")
SHARED_STRING = re.compile(PREFIX + rb"si[\s/>]")
SHEET = re.compile(PREFIX + rb"sheet\s([^>]*)>")
RELATIONSHIP = re.compile(PREFIX + rb"Relationship\s([^>]*)>")
SHEET_RID = re.compile(rb"\b(?:r|relationships):id\s*=\s*[\"']([^\"']*)[\"']")
REL_ID = re.compile(rb"\bId\s*=\s*[\"']([^\"']*)[\"']")
REL_TARGET = re.compile(rb"\bTarget\s*=\s*[\"']([^\"']*)[\"']")
# A cell under a namespace prefix (<x:c>): its chunk is read cell by cell.
PREFIXED_CELL = re.compile(rb":c[\s/>]")
CELL_NAME = re.compile(r"([A-Za-z]{1,4})([0-9]{1,8})")


def check_workbook(path: Path) -> None:
    """Refuse an .xlsx whose first sheet or archive would cost more than the IMPORT_MAX_* settings allow.

    Declared sizes are checked first (instant for an honest zip bomb); then
    every part is unpacked once in chunks, counting the bytes it really gives,
    and the first sheet's XML is scanned for the dimension it declares and the
    last row and column its cells really reach (calamine reads cells by their
    reference, whatever the dimension says).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": error}]) from None
    names = {_part_name(part): part for part in parts}
    if len(names) != len(parts):
        raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": "duplicate parts"}])
    if "xl/workbook.xml" not in names:
        raise FileRefused([_("This is not an Excel workbook (.xlsx): save it as .xlsx or CSV UTF-8.")])
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    declared = sum(part.file_size for part in parts)
    if declared > limit:
        raise FileRefused([_unpacks_to(declared)])
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FLOOR and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO:
            raise FileRefused(
                [
                    _(
                        "The part %(part)s of the spreadsheet unpacks to %(times)s times its packed size; "
                        "at most %(max)s times is accepted (IMPORT_MAX_COMPRESSION_RATIO)."
                    )
                    % {"part": part.filename, "times": count(int(ratio)), "max": settings.IMPORT_MAX_COMPRESSION_RATIO}
                ]
            )
        if part.flag_bits & 0x1 or part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": part.filename}])
    with path.open("rb") as file:
        sheet = _first_sheet(file, names)
        if sheet not in names:
            raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": f"no part {sheet}"}])
        for part in parts:
            scan = _SheetScan() if _part_name(part) == sheet else None
            texts = 0
            for chunk in _unpacked(file, part):
                if scan:
                    scan.feed(chunk)
                elif _part_name(part) == "xl/sharedstrings.xml":
                    # calamine holds every shared text; no sheet within the limits uses more.
                    texts += len(SHARED_STRING.findall(chunk))
                    if texts > settings.IMPORT_MAX_ROWS * settings.IMPORT_MAX_COLUMNS:
                        raise FileRefused(
                            [
                                _(
                                    "The spreadsheet holds more than %(max)s texts, more than the cells read "
                                    "(IMPORT_MAX_ROWS x IMPORT_MAX_COLUMNS) can use."
                                )
                                % {"max": count(settings.IMPORT_MAX_ROWS * settings.IMPORT_MAX_COLUMNS)}
                            ]
                        )
            if scan:
                scan.close()


def _part_name(part: zipfile.ZipInfo) -> str:
    """A part's name as calamine looks it up: whatever its case, with backslashes read as slashes."""
    return part.filename.replace("\\", "/").lower()


def _unpacks_to(size: int) -> str:
    return _("The spreadsheet unpacks to %(size)s MB; at most %(max)s MB is read (IMPORT_MAX_UNPACKED_BYTES).") % {
        "size": count(size // (1024 * 1024)),
        "max": count(settings.IMPORT_MAX_UNPACKED_BYTES // (1024 * 1024)),
    }


def _unpacked(file, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in chunks, unpacked from its raw data; never more than it declares.

    zipfile would stop at the declared size, but calamine's reader does not: a part
    that unpacks to more than it declares is refused here.
    """
    file.seek(part.header_offset)
    local = file.read(30)
    if len(local) != 30 or not local.startswith(ZIP_MAGIC):
        raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": part.filename}])
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    file.seek(part.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if part.compress_type == zipfile.ZIP_DEFLATED else None
    left, given = part.compress_size, 0
    while left > 0:
        data = file.read(min(left, INFLATE_CHUNK))
        if not data:
            break
        left -= len(data)
        while data:
            try:
                out = inflater.decompress(data, INFLATE_CHUNK) if inflater else data
            except zlib.error as error:
                raise FileRefused(
                    [_("The spreadsheet cannot be read (%(error)s).") % {"error": f"{part.filename}: {error}"}]
                ) from None
            data = inflater.unconsumed_tail if inflater else b""
            given += len(out)
            if given > part.file_size:
                raise FileRefused(
                    [
                        _("The part %(part)s of the spreadsheet unpacks to more than its declared size; it is damaged.")
                        % {"part": part.filename}
                    ]
                )
            if out:
                yield out


def _first_sheet(file, names: dict[str, zipfile.ZipInfo]) -> str:
    """The part calamine reads as the first sheet: the workbook's first <sheet>, through its relationship."""
    workbook = _small_part(file, names.get("xl/workbook.xml"))
    relationships = _small_part(file, names.get("xl/_rels/workbook.xml.rels"))
    first = SHEET.search(workbook)
    rid = SHEET_RID.search(first[1]) if first else None
    for attributes in RELATIONSHIP.findall(relationships):
        found_id, target = REL_ID.search(attributes), REL_TARGET.search(attributes)
        if rid and found_id and target and found_id[1] == rid[1]:
            # As calamine resolves it: "/xl/…" and "xl/…" as they are, anything else under xl/.
            target = target[1].decode("utf-8", errors="replace").lower()
            if target.startswith("/xl/"):
                return target[1:]
            return target if target.startswith("xl/") else f"xl/{target}"
    raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": "no first sheet"}])


def _small_part(file, part: zipfile.ZipInfo | None) -> bytes:
    if part is None:
        return b""
    if part.file_size > LONGEST_ROW_XML:
        error = f"{part.filename}: {part.file_size} bytes"
        raise FileRefused([_("The spreadsheet cannot be read (%(error)s).") % {"error": error}])
    return b"".join(_unpacked(file, part))


def column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter if isinstance(letter, int) else ord(letter)) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _up_to(limit: str, alphabet: str) -> str:
    """A regex for the strings as long as `limit`, over `alphabet`, that sort up to it (either case)."""

    def either(chars):
        return "".join(sorted(set(chars + chars.lower())))

    options = []
    for index, char in enumerate(limit):
        lower = alphabet[: alphabet.index(char)]
        same = "".join(f"[{either(c)}]" for c in limit[:index])
        if lower:
            options.append(f"{same}[{either(lower)}][{either(alphabet)}]{{{len(limit) - index - 1}}}")
    options.append("".join(f"[{either(c)}]" for c in limit))
    return "|".join(options)


class _SheetScan:
    """The extent of a sheet's XML, fed in chunks: its declared dimension and the cells it really holds.

    Fast where every cell is written as Excel writes it, `<c r="B7" ...>` with the
    reference first and within the limits: one regex that starts with `<c` finds
    any other cell (another form, a reference past the limits, none at all), so a
    file within them costs a scan at C speed. A chunk where it finds one is read
    cell by cell, exactly. A cell without a reference is refused: calamine would
    place it after the cells before it, wherever that is.
    """

    def __init__(self):
        self.rest = b""
        self.dimension_sought = True
        rows, columns = str(settings.IMPORT_MAX_ROWS), column_letters(settings.IMPORT_MAX_COLUMNS)
        # Fewer digits than the row limit, and letters up to the column limit: surely within both.
        digits = f"[0-9]{{1,{len(rows) - 1}}}" if len(rows) > 1 else "(?!)"
        letters = _up_to(columns, string.ascii_uppercase)
        if len(columns) > 1:
            letters = f"[A-Za-z]{{1,{len(columns) - 1}}}|{letters}"
        self.other_cell = re.compile(f'<c(?! r="(?:{letters}){digits}")[\\s/>]'.encode())

    def feed(self, chunk: bytes) -> None:
        text = self.rest + chunk
        cut = text.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
        self.rest = text[cut:]
        if len(self.rest) > LONGEST_ROW_XML:
            raise FileRefused(
                [
                    _("A row of the sheet takes more than %(size)s MB; no row of an export is that large.")
                    % {"size": LONGEST_ROW_XML // (1024 * 1024)}
                ]
            )
        self._scan(text[:cut])

    def close(self) -> None:
        self._scan(self.rest)

    def _scan(self, text: bytes) -> None:
        if self.dimension_sought:
            data_starts = text.find(b"sheetData")
            declared = DIMENSION.search(text if data_starts < 0 else text[:data_starts])
            if declared or data_starts >= 0:
                self.dimension_sought = False
            if declared:
                end = declared[1].decode("ascii", errors="replace").split(":")[-1]
                name = CELL_NAME.fullmatch(end.replace("$", ""))
                if name:
                    _check_reach(name[0].upper(), column_number(name[1]), int(name[2]))
        if self.other_cell.search(text) or PREFIXED_CELL.search(text):
            self._scan_each_cell(text)

    def _scan_each_cell(self, text: bytes) -> None:
        references = CELL_REF.findall(text)
        if len(references) != len(CELL.findall(text)):
            raise FileRefused(
                [_("Some cells of the sheet carry no reference (like A1): open the file in Excel and save it again.")]
            )
        if references:
            letters = max((r[0].upper() for r in references), key=lambda c: (len(c), c))
            row = max(int(r[1]) for r in references)
            _check_reach(f"{letters.decode()}{row}", column_number(letters), row)


def _check_reach(cell: str, column: int, row: int) -> None:
    if row > settings.IMPORT_MAX_ROWS or column > settings.IMPORT_MAX_COLUMNS:
        raise FileRefused(
            [
                _(
                    "The sheet reaches cell %(cell)s (row %(row)s, column %(column)s); at most %(rows)s rows and "
                    "%(columns)s columns are read (IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS)."
                )
                % {
                    "cell": cell,
                    "row": count(row),
                    "column": count(column),
                    "rows": count(settings.IMPORT_MAX_ROWS),
                    "columns": count(settings.IMPORT_MAX_COLUMNS),
                }
            ]
        )
