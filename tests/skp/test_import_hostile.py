"""Hostile files: refused before they cost anything, with a short list, and nothing written.

The bad archives are built here (zipfile and a few lines of sheet XML), never
checked in. Run on SQLite and on PostgreSQL: PostgreSQL refuses NUL bytes that
SQLite would store.
"""

import struct
import zipfile
from io import StringIO
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from opd.models import Asn, Opd, Unit, User
from skp.bkn.imports import ImportRefused, import_file
from skp.models import MonthlyRecord, SyncRun
from tests.factories import AsnFactory, valid_nip

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Laporan" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET_START = (
    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:x="{MAIN}">{{dimension}}<sheetData>'
)
SHEET_END = "</sheetData></worksheet>"

HEADER = ["nip", "nama", "skp_unor", "skp_unor_induk", "hasil_kerja", "perilaku_kerja", "hasil_akhir", "waktu_dinilai"]
TITLE = ["LAPORAN PENILAIAN SKP PERIODIK TAHUN 2025"], ["Periode: Bulanan - Maret 2025"]


def rated(nip, nama="Ani", unor="Bidang A"):
    return [nip, nama, unor, "Dinas Kesehatan", "SESUAI EKSPEKTASI", "SESUAI EKSPEKTASI", "BAIK", "2025-04-10 09:00:00"]


def cells_xml(rows) -> str:
    """Sheet rows as inline strings; text is escaped but Excel's `_x0000_` escapes pass through."""
    out = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{chr(65 + index)}{number}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
            for index, value in enumerate(row)
        )
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def build_xlsx(path, sheet_data: str, dimension: str | None = None, *, padding: int = 0, sheet_part=None, target=None):
    """A minimal .xlsx: the four parts calamine needs and one sheet. `padding` bytes of blanks pack to little."""
    start = SHEET_START.format(dimension=f'<dimension ref="{dimension}"/>' if dimension else "")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.replace("worksheets/sheet1.xml", target or "worksheets/sheet1.xml"),
        )
        with archive.open(sheet_part or "xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(start.encode())
            blank = b" " * (1024 * 1024)
            for _ in range(padding // len(blank)):
                sheet.write(blank)
            sheet.write(sheet_data.encode() + SHEET_END.encode())
    return path


def imported(path, **kwargs):
    return import_file(path, triggered_by="test", **kwargs)


def refusal(path, **kwargs) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        imported(path, **kwargs)
    return refused.value.problems


def nothing_written(opd_count=0):
    assert not Asn.objects.exists()
    assert not MonthlyRecord.objects.exists()
    assert not SyncRun.objects.exists()
    assert Opd.objects.count() == opd_count and not Unit.objects.exists()


def test_a_minimal_workbook_built_here_imports(tmp_path):
    # The builder makes real workbooks: the refusals below are about their content, not their form.
    path = build_xlsx(tmp_path / "ok.xlsx", cells_xml([*TITLE, [], HEADER, rated(valid_nip(1))]), "A1:H5")
    assert imported(path).run.created == 1


@pytest.mark.parametrize(
    "dimension",
    ["A1:XFD1048576", "A1:H5", None],
    ids=["declared", "dimension-lies", "no-dimension"],
)
def test_a_1_5_kb_file_with_a_cell_at_xfd1048576_is_refused_before_it_is_read(tmp_path, dimension):
    data = cells_xml([*TITLE, [], HEADER]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = build_xlsx(tmp_path / "bomb.xlsx", data, dimension)
    assert path.stat().st_size < 2048  # calamine would ask for 1,048,576 x 16,384 cells
    problems = refusal(path)
    assert len(problems) == 1
    assert "XFD1048576" in problems[0] and "IMPORT_MAX_ROWS" in problems[0]
    assert "1.048.576" in problems[0]  # written as Indonesians group digits
    nothing_written()


def prefixed(xml: str) -> str:
    return (
        xml.replace("<c ", "<x:c ").replace("</c>", "</x:c>").replace("<row ", "<x:row ").replace("</row>", "</x:row>")
    )


def test_cells_written_otherwise_than_excel_writes_them_are_read_cell_by_cell(tmp_path):
    rows = [*TITLE, [], HEADER, rated(valid_nip(1))]
    other_order = cells_xml(rows).replace('" t="inlineStr">', '">').replace('<c r="', '<c t="inlineStr" r="')
    assert imported(build_xlsx(tmp_path / "order.xlsx", other_order)).run.created == 1
    assert imported(build_xlsx(tmp_path / "prefix.xlsx", prefixed(cells_xml(rows)))).run.unchanged == 1
    far = '<row r="2"><c t="n" r="XFD1048576"><v>1</v></c></row>'
    for data in (cells_xml([HEADER]) + far, prefixed(cells_xml([HEADER]) + far)):
        assert "XFD1048576" in refusal(build_xlsx(tmp_path / "far.xlsx", data))[0]


@pytest.mark.parametrize(
    ("part", "target"),
    [
        ("xl/worksheets/other.xml", "/xl/worksheets/other.xml"),
        ("XL/Worksheets/Sheet1.XML", None),
        ("xl\\worksheets\\sheet1.xml", None),
    ],
    ids=["absolute-target", "other-case", "backslashes"],
)
def test_the_sheet_is_found_where_calamine_finds_it(tmp_path, part, target):
    good = build_xlsx(
        tmp_path / "ok.xlsx", cells_xml([*TITLE, [], HEADER, rated(valid_nip(1))]), sheet_part=part, target=target
    )
    assert imported(good).run.created == 1
    data = cells_xml([HEADER]) + '<row r="9"><c r="XFD1048576"><v>1</v></c></row>'
    bomb = build_xlsx(tmp_path / "bomb.xlsx", data, sheet_part=part, target=target)
    assert "XFD1048576" in refusal(bomb)[0]


def test_a_first_sheet_that_is_not_in_the_archive_is_refused(tmp_path):
    path = build_xlsx(tmp_path / "missing.xlsx", cells_xml([HEADER]), target="worksheets/elsewhere.xml")
    assert "tidak dapat dibaca" in refusal(path)[0]


def test_a_declared_dimension_alone_is_refused(tmp_path):
    path = build_xlsx(tmp_path / "declared.xlsx", cells_xml([*TITLE, [], HEADER]), "A1:ZZ200000")
    assert "ZZ200000" in refusal(path)[0]


def test_a_zip_bomb_is_refused_from_its_declared_sizes(tmp_path):
    # 200 MB of blanks inside the sheet's XML pack to about 200 KB: calamine would read every byte.
    path = build_xlsx(tmp_path / "zipbomb.xlsx", cells_xml([HEADER]), padding=200 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    problems = refusal(path)
    assert len(problems) == 1 and "IMPORT_MAX_COMPRESSION_RATIO" in problems[0], problems


def test_a_workbook_over_the_unpacked_limit_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    path = build_xlsx(tmp_path / "big.xlsx", cells_xml([HEADER]), padding=3 * 1024 * 1024)
    assert "IMPORT_MAX_UNPACKED_BYTES" in refusal(path)[0]


def declare_size(path, name: str, size: int) -> None:
    """Make a part of the archive claim `size` bytes, in its local header and in the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    data[local + 22 : local + 26] = struct.pack("<I", size)
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(tmp_path):
    # zipfile trusts the declared size and stops there; calamine's reader would unpack it all.
    path = build_xlsx(tmp_path / "liar.xlsx", cells_xml([HEADER]), padding=4 * 1024 * 1024)
    declare_size(path, "xl/worksheets/sheet1.xml", 1024)
    problems = refusal(path)
    assert problems == [
        "Bagian xl/worksheets/sheet1.xml dari spreadsheet lebih besar daripada ukuran yang dinyatakannya; berkas rusak."
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_past_import_max_rows_are_refused(tmp_path, settings, kind):
    settings.IMPORT_MAX_ROWS = 50
    rows = [*TITLE, [], HEADER, *(rated(valid_nip(n)) for n in range(60))]
    if kind == "xlsx":
        path = build_xlsx(tmp_path / "rows.xlsx", cells_xml(rows), "A1:H64")
        assert "IMPORT_MAX_ROWS" in refusal(path)[0]
    else:
        path = tmp_path / "rows.csv"
        path.write_text("\n".join(",".join(row) for row in rows[3:]) + "\n", encoding="utf-8")
        assert refusal(path, period=(2025, 3)) == [
            "Berkas berisi lebih dari 50 baris; paling banyak 50 baris yang dibaca (IMPORT_MAX_ROWS)."
        ]
    nothing_written()


def test_columns_past_import_max_columns_are_refused(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(rated(valid_nip(1))) + ",x" * 30 + "\n", encoding="utf-8")
    assert refusal(path, period=(2025, 3)) == [
        "baris 2 berisi 38 kolom; paling banyak 20 kolom yang dibaca (IMPORT_MAX_COLUMNS)."
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("x" * 200_000, "baris 2: bukan CSV yang sah"),  # past the csv module's field limit
        ("x" * 300_000, "baris 2 panjangnya 300.106 karakter"),  # one physical line
    ],
)
def test_a_csv_line_or_field_of_hundreds_of_kilobytes_is_refused(tmp_path, cell, expected):
    path = tmp_path / "long.csv"
    quoted = f'"{cell}"' if len(cell) == 200_000 else cell
    path.write_text(",".join(HEADER) + "\n" + ",".join(rated(valid_nip(1), nama=quoted)) + "\n", encoding="utf-8")
    problems = refusal(path, period=(2025, 3))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def siasn_csv(path, rows, delimiter=","):
    header = ["pns_id", "nip_baru", "nama", "gelar_depan", "gelar_belakang", "jenis_pegawai_nama"]
    path.write_text("\n".join(delimiter.join(row) for row in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_file_of_many_bad_rows_lists_100_problems_and_how_many_more(tmp_path):
    path = siasn_csv(tmp_path / "bad.csv", [["X", f"12345{n}", "Budi", "", "", "PNS"] for n in range(150)])
    problems = refusal(path)
    assert len(problems) == 101
    assert problems[0].startswith("baris 2, kolom nip_baru: ")
    assert problems[-1] == "dan 50 lainnya"


def test_the_command_prints_the_short_list_and_exits_1(tmp_path):
    path = siasn_csv(tmp_path / "bad.csv", [["X", f"12345{n}", "Budi", "", "", "PNS"] for n in range(1500)])
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("import_bkn", str(path), stdout=StringIO(), stderr=err)
    assert exit.value.code == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 102 and lines[-1] == "  dan 1.400 lainnya"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("latin-1", "byte 0xE9 di baris 2 tidak dapat dibaca"),  # é (the quotes became "?")
        ("utf-16", "teks UTF-16"),
        ("utf-16-le", "teks UTF-16"),  # no BOM
        ("cp1252", "byte 0x93 di baris 2"),  # Windows' curly quote
    ],
)
def test_a_csv_that_is_not_utf8_is_refused_with_exit_1_and_the_advice_to_save_it_as_csv_utf8(
    tmp_path, encoding, expected
):
    AsnFactory(nip=valid_nip(1), nama="Lama")
    path = tmp_path / "asn.csv"
    text = "pns_id,nip_baru,nama,jenis_pegawai_nama\n" + f"X,{valid_nip(1)},“Pepe” José Ramírez,PNS\n"
    path.write_bytes(text.encode(encoding, errors="replace"))
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("import_bkn", str(path), stdout=StringIO(), stderr=err)
    assert exit.value.code == 1
    assert expected in err.getvalue()
    assert "simpan sebagai CSV UTF-8" in err.getvalue()
    assert Asn.objects.get().nama == "Lama" and not SyncRun.objects.exists()


def test_a_utf8_csv_with_a_bom_is_read(tmp_path):
    AsnFactory(nip=valid_nip(1), nama="Lama")
    path = tmp_path / "asn.csv"
    path.write_bytes(
        f"pns_id,nip_baru,nama,jenis_pegawai_nama\nX,{valid_nip(1)},José Ramírez,PNS\n".encode("utf-8-sig")
    )
    imported(path)
    assert Asn.objects.get().nama == "José Ramírez"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_quoted_name_with_doubled_quotes_is_imported_intact(tmp_path, delimiter):
    # csv.Sniffer saw no quotes in the first 4 KB, guessed doublequote=False, and split this name in two.
    AsnFactory(nip=valid_nip(1), nama="Lama")
    AsnFactory(nip=valid_nip(2), nama="Lama")
    plain = [[f"P{n}", valid_nip(1000 + n), f"Pegawai {n}", "", "", "PNS"] for n in range(200)]
    rows = [
        *plain,
        ["A1", valid_nip(1), '"Budi ""Ucok"" Santoso"', "", '"S.Kom., M.T."', "PNS"],
        ["A2", valid_nip(2), "Siti", '"Dr."', "", "PNS"],
    ]
    imported(siasn_csv(tmp_path / "asn.csv", rows, delimiter))
    assert Asn.objects.get(nip=valid_nip(1)).nama == 'Budi "Ucok" Santoso, S.Kom., M.T.'
    assert Asn.objects.get(nip=valid_nip(2)).nama == "Dr. Siti"


def test_nul_control_and_too_long_cells_are_named_by_row_and_column_and_nothing_is_written(tmp_path):
    rows = [
        HEADER,
        rated(valid_nip(1)),
        rated(valid_nip(2), nama="A" * 300),
        rated(valid_nip(3), unor="Bidang\x00B"),
        rated(valid_nip(4), nama="Budi\x07"),
    ]
    path = tmp_path / "penilaian.csv"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    assert refusal(path, period=(2025, 3)) == [
        "baris 3, kolom nama: panjangnya 300 karakter; paling banyak 200 yang dapat disimpan",
        "baris 4, kolom skp_unor: berisi karakter NUL yang tidak dapat disimpan",
        "baris 5, kolom nama: berisi karakter kendali U+0007",
    ]
    nothing_written()


def test_a_nul_hidden_in_a_workbook_cell_is_refused(tmp_path):
    # Excel writes a NUL in a cell as _x0000_; calamine reads it back as "\x00".
    rows = [*TITLE, [], HEADER, rated(valid_nip(1), nama="Bu_x0000_di")]
    path = build_xlsx(tmp_path / "nul.xlsx", cells_xml(rows), "A1:H5")
    assert refusal(path) == ["baris 5, kolom nama: berisi karakter NUL yang tidak dapat disimpan"]
    nothing_written()


def test_a_siasn_name_too_long_with_its_titles_is_refused(tmp_path):
    AsnFactory(nip=valid_nip(1), nama="Lama")
    path = siasn_csv(tmp_path / "asn.csv", [["A1", valid_nip(1), "N" * 190, "Prof. Dr.", '"S.Kom., M.T."', "PNS"]])
    assert refusal(path) == ["baris 2, kolom nama: panjangnya 214 karakter; paling banyak 200 yang dapat disimpan"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
            "berkas Excel lama (.xls) atau berkas berkata sandi",
        ),
        (lambda p: zipfile.ZipFile(p, "w").writestr("content.xml", "<office/>"), "bukan buku kerja Excel (.xlsx)"),
        (lambda p: p.write_bytes(b"PK\x03\x04 broken"), "tidak dapat dibaca"),
    ],
    ids=["xls", "ods", "broken-zip"],
)
def test_other_formats_get_one_clear_line(tmp_path, make, expected):
    path = tmp_path / "file.xlsx"
    make(path)
    problems = refusal(path)
    assert len(problems) == 1 and expected in problems[0], problems


def test_cells_without_a_reference_are_refused(tmp_path):
    data = cells_xml([*TITLE, [], HEADER]) + "<row><c><v>1</v></c></row>"
    path = build_xlsx(tmp_path / "norefs.xlsx", data)
    assert "tidak memiliki alamat" in refusal(path)[0]


def test_a_zip_with_a_deflated_part_that_does_not_inflate_is_refused(tmp_path):
    path = build_xlsx(tmp_path / "ok.xlsx", cells_xml([HEADER]))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    start = part.header_offset + 30 + len(part.filename) + len(part.extra)
    data[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    assert "tidak dapat dibaca" in refusal(path)[0]  # by the raw inflate, before calamine opens it


def test_the_admin_upload_answers_a_million_bad_rows_with_the_short_list(bkpsdm_client, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 1_000_000
    before = Asn.objects.count()
    path = siasn_csv(tmp_path / "bad.csv", [["X", f"9{n}", "Budi", "", "", "PNS"] for n in range(20_000)])
    with path.open("rb") as upload:
        response = bkpsdm_client.post("/admin/skp/syncrun/impor/", {"berkas": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Berkas ditolak; tidak ada yang diimpor" in page
    assert page.count("<li>baris ") == 100 and "<li>dan 19.900 lainnya</li>" in page
    assert len(response.content) < 60_000
    assert Asn.objects.count() == before and not SyncRun.objects.exists()


def test_the_admin_upload_refuses_a_dimension_bomb_with_one_line(bkpsdm_client, tmp_path):
    data = cells_xml([HEADER]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = build_xlsx(tmp_path / "bomb.xlsx", data, "A1:XFD1048576")
    with path.open("rb") as upload:
        response = bkpsdm_client.post("/admin/skp/syncrun/impor/", {"berkas": upload})
    assert response.status_code == 400
    assert "Lembar kerja mencapai sel XFD1048576" in response.content.decode()


def test_the_admin_upload_refuses_a_file_over_the_size_limit_before_reading_it(bkpsdm_client, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.csv", b"nip\n" + b"1" * (2 * 1024 * 1024))
    response = bkpsdm_client.post("/admin/skp/syncrun/impor/", {"berkas": upload})
    assert response.status_code == 200  # a form error, as Django's admin answers them
    assert "Berkas berukuran 2.0 MB; paling besar 1 MB." in response.content.decode()


def roles_file(tmp_path, content: bytes):
    path = tmp_path / "peran.csv"
    path.write_bytes(content)
    return path


def test_a_roles_csv_in_latin_1_is_refused_with_exit_1(tmp_path):
    asn = AsnFactory()
    path = roles_file(tmp_path, f"nip;role;opd\n{asn.nip};kepala_opd;Dinas Pendidikan é\n".encode("latin-1"))
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("grant_roles", str(path), stderr=err)
    assert refused.value.returncode == 1
    assert "simpan sebagai CSV UTF-8" in err.getvalue()
    assert not User.objects.exists()


def test_a_roles_csv_with_a_nul_is_named_by_row_and_column(tmp_path):
    asn = AsnFactory()
    path = roles_file(tmp_path, f"nip,role,opd\n{asn.nip},kepala_opd,DIN\x00KES\n".encode())
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("grant_roles", str(path), stderr=err)
    assert "baris 2, kolom opd: berisi karakter NUL yang tidak dapat disimpan" in err.getvalue()
    assert not User.objects.exists()


def test_the_roles_upload_lists_at_most_100_problems(bkpsdm_client):
    before = User.objects.count()
    content = "nip,role,opd\n" + "".join(f"12{n},kepala_opd,DINKES\n" for n in range(300))
    response = bkpsdm_client.post(
        "/admin/opd/user/unggah-peran/", {"berkas": SimpleUploadedFile("peran.csv", content.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "dan 200 lainnya" in page and len(response.content) < 60_000
    assert User.objects.count() == before
