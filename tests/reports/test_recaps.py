"""The recaps read back: the PDF's text and the workbook's cells, not just that a file came out."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from kapuas_kinerja.tabular import safe_cell
from tests.world import WIB, build_world

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def pdf_words(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_opd_recap_pdf_has_letterhead_counts_every_asn_signature_and_page_numbers(world, tmp_path):
    out = tmp_path / "rekap.pdf"
    with time_machine.travel(NOW, tick=False):
        call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "pdf", "--output", str(out))
    text = pdf_words(out.read_bytes())
    assert text.startswith("PEMERINTAH KABUPATEN KAPUAS DINAS KESEHATAN")
    assert "Rekap kepatuhan pelaporan SKP bulanan, Oktober 2026" in text
    assert "Batas waktu 15 November 2026, 23.59 WIB" in text
    # 9 ASN: Dedi exempt; the head, operator, appraiser and Citra on time; Ani, Budi, Eka and Fajar overdue.
    assert "Semua ASN 9 1 4 0 4 0 50%" in text
    for asn in (world.lazy, world.filed, world.rated, world.exempt):
        assert asn.nama in text and asn.nip in text
    assert "Puskesmas Selat (9)" in text
    assert "Kepala Perangkat Daerah, Kepala Dinas NIP " + world.head.nip in text
    assert "Halaman 1 dari 2" in text and "Dicetak 20 November 2026, 09.00 WIB" in text
    # The footer names the OPD and the month in words, not "DINKES · 2026-10".
    assert "Dinas Kesehatan · Oktober 2026" in text and "DINKES" not in text and "2026-10" not in text
    # Budi has filed: his appraiser is ranked among those with staff waiting for their rating.
    ranking = "Pejabat penilai yang ditunggu penilaiannya # Pejabat Penilai Kinerja NIP Staf menunggu"
    assert f"{ranking} 1 Kepala Puskesmas" in text


def test_the_opd_recap_ranks_appraisers_by_staff_waiting_for_their_rating(world, tmp_path):
    from skp import rules
    from skp.rollup import refresh_rollup
    from tests.factories import AsnFactory, RecordFactory

    lina = AsnFactory(nama="Lina Penilai", opd=world.opd, unit=world.unit)
    for nama in ("Gita", "Hana"):
        person = AsnFactory(nama=nama, opd=world.opd, unit=world.unit, atasan=lina)
        RecordFactory(asn=person, period=world.period, stage=rules.SUBMITTED)
    RecordFactory(asn=AsnFactory(nama="Kiki", opd=world.opd, unit=world.unit), period=world.period, stage="submitted")
    refresh_rollup()
    out = tmp_path / "rekap.xlsx"
    call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "xlsx", "--output", str(out))
    rows = list(openpyxl.load_workbook(out)["Penilai"].iter_rows(values_only=True))
    header = rows.index(("Peringkat", "NIP", "Pejabat Penilai Kinerja", "OPD atasan", "Staf menunggu penilaian"))
    assert rows[header + 1 :] == [
        (1, lina.nip, "Lina Penilai", "Dinas Kesehatan", 2),
        (2, world.atasan.nip, "Kepala Puskesmas", "Dinas Kesehatan", 1),
        (None, None, "Penilai tidak diketahui", None, 1),
    ]
    pdf = tmp_path / "rekap.pdf"
    with time_machine.travel(NOW, tick=False):
        call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "pdf", "--output", str(pdf))
    text = pdf_words(pdf.read_bytes())
    assert f"1 Lina Penilai {lina.nip} 2 2 Kepala Puskesmas {world.atasan.nip} 1 – Penilai tidak diketahui – 1" in text


def test_the_opd_recap_workbook_reads_back(world, tmp_path):
    out = tmp_path / "rekap.xlsx"
    call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "xlsx", "--output", str(out))
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Rekap", "ASN", "Penilai"]
    counts = list(book["Rekap"].iter_rows(values_only=True))
    assert counts[0][0] == "PEMERINTAH KABUPATEN KAPUAS" and counts[1][0] == "Dinas Kesehatan"
    everyone = next(r for r in counts if r[0] == "Semua ASN")
    assert everyone[:8] == ("Semua ASN", 9, 1, 4, 0, 4, 0, 50.0)
    staff = list(book["ASN"].iter_rows(values_only=True))
    ani = next(r for r in staff if r[1] == world.lazy.nip)
    assert (
        ani[:3] == ("Puskesmas Selat", world.lazy.nip, "Ani Belum Mengisi") and ani[5] == "Belum dinilai, lewat batas"
    )
    citra = next(r for r in staff if r[1] == world.rated.nip)
    assert citra[6] == dt.datetime(2026, 11, 5, 9, 0) and citra[7] == "Baik"  # WIB wall-clock time


def test_the_regency_recap_ranks_every_opd(world, tmp_path):
    out = tmp_path / "kabupaten.xlsx"
    call_command("report", "--period", "2026-10", "--format", "xlsx", "--output", str(out))
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    ranked = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in ranked] == ["BKPSDM", "DINKES"]  # 100 % before 50 %
    pdf = tmp_path / "kabupaten.pdf"
    call_command("report", "--period", "2026-10", "--format", "pdf", "--output", str(pdf))
    text = pdf_words(pdf.read_bytes())
    assert "Rekap kepatuhan pelaporan SKP bulanan seluruh OPD, Oktober 2026" in text and "Dinas Kesehatan" in text


def test_text_that_looks_like_a_formula_is_written_as_text(world, tmp_path):
    world.lazy.nama = '=HYPERLINK("http://contoh-jahat.example","klik")'
    world.lazy.save()
    world.filed.nama = "@SUM(1+1)"
    world.filed.save()
    out = tmp_path / "rekap.xlsx"
    call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "xlsx", "--output", str(out))
    sheet = openpyxl.load_workbook(out)["ASN"]
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
    assert cells['\'=HYPERLINK("http://contoh-jahat.example","klik")'] == "s"
    assert cells["'@SUM(1+1)"] == "s"
    assert not [value for value, kind in cells.items() if kind == "f"]
    assert [safe_cell(v) for v in ("+1", "-2", "\tx", "Ani", 5)] == ["'+1", "'-2", "'\tx", "Ani", 5]


def test_report_refuses_bad_arguments_with_exit_2(world, tmp_path):
    for args in (
        ["--period", "Oktober", "--format", "pdf", "--output", str(tmp_path / "a.pdf")],
        ["--period", "2026-10", "--opd", "NOPE", "--format", "pdf", "--output", str(tmp_path / "a.pdf")],
        ["--period", "2026-10", "--format", "pdf", "--output", str(tmp_path / "no" / "a.pdf")],
    ):
        with pytest.raises(CommandError) as stopped:
            call_command("report", *args)
        assert stopped.value.returncode == 2
