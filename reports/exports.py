"""Writing documents: .xlsx with openpyxl (cells a spreadsheet will not run) and PDF with WeasyPrint."""

import io
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from pypdf import PdfReader, PdfWriter

from kapuas_kinerja.tabular import safe_cell


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


def _write_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads its fonts and libraries on first use.
    from weasyprint import CSS, HTML

    stylesheets = [CSS(filename=finders.find(name)) for name in ("css/print.css", "css/chart.css")]
    return HTML(string=html, base_url=".").write_pdf(stylesheets=stylesheets)


def pdf_bytes(template: str, context: dict) -> bytes:
    """Render a template to PDF in one go (short documents)."""
    return _write_pdf(render_to_string(template, {**context, "numbered": True, "first": True, "last": True}))


# Rows per part of a long document: WeasyPrint holds the whole layout of what it
# renders, so a recap of thousands of ASN is laid out a few hundred rows at a time.
PART_ROWS = 600


def pdf_in_parts(template: str, context: dict, sections: list[tuple[str, list]]) -> bytes:
    """A long document of sections (a unit and its rows) rendered part by part, joined, then numbered.

    The template gets `sections` (the part's share), `first` and `last` (the
    part that opens with the counts and the one that ends with the signature).
    Page numbers ("page 3 of 120") need the total, so they are stamped on the
    joined pages afterwards.
    """
    parts, current, size = [], [], 0
    for section in sections:
        if current and size + len(section[1]) > PART_ROWS:
            parts.append(current)
            current, size = [], 0
        current.append(section)
        size += len(section[1])
    parts.append(current)
    writer = PdfWriter()
    for i, part in enumerate(parts):
        html = render_to_string(
            template, {**context, "sections": part, "first": i == 0, "last": i == len(parts) - 1, "numbered": False}
        )
        writer.append(PdfReader(io.BytesIO(_write_pdf(html))))
    total = len(writer.pages)
    stamps = PdfReader(
        io.BytesIO(_write_pdf(render_to_string("reports/pdf/page_numbers.html", {"pages": range(total)})))
    )
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
