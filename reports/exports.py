"""Writing documents: .xlsx with openpyxl (cells a spreadsheet will not run) and PDF with WeasyPrint."""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from skp import rules

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


@dataclass
class Sheet:
    title: str
    heading: list[str] = field(default_factory=list)  # lines above the table (letterhead, period)
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook written row by row (openpyxl's write-only mode keeps memory flat)."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        for i, width in enumerate(sheet.widths):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        for line in sheet.heading:
            cell = WriteOnlyCell(ws, value=safe_cell(line))
            cell.font = bold
            ws.append([cell])
        if sheet.heading:
            ws.append([])
        header = []
        for name in sheet.columns:
            cell = WriteOnlyCell(ws, value=safe_cell(name))
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(template: str, context: dict) -> bytes:
    """Render a template to PDF. Imported here: WeasyPrint loads its fonts and libraries on first use."""
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    stylesheets = [CSS(filename=finders.find(name)) for name in ("css/print.css", "css/chart.css")]
    return HTML(string=html, base_url=".").write_pdf(stylesheets=stylesheets)
