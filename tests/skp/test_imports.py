"""Imports of BKN's exports: dirt cleaned, bad files refused whole, the same file twice changes nothing."""

import datetime as dt
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import Asn
from skp import rules
from skp.bkn.imports import ImportRefused, import_file
from skp.models import AnnualSkp, MonthlyRecord, SyncRun
from tests.factories import bkpsdm_staff, export_xlsx
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "bkn"
PENILAIAN = FIXTURES / "laporan-penilaian-2025-03.xlsx"
SKP = FIXTURES / "laporan-skp-2025.xlsx"
SIASN = FIXTURES / "siasn-export-data-asn.csv"


def imported(path, **kwargs):
    return import_file(path, triggered_by="test", **kwargs)


def records():
    return sorted(
        MonthlyRecord.objects.values_list(
            "asn__nip", "stage", "rated_at", "rating_hasil", "rating_perilaku", "predikat_bkn"
        ),
        key=repr,
    )


def test_laporan_skp_brings_the_population_with_dirt_cleaned():
    result = imported(SKP)
    assert result.kind == "skp"
    assert Asn.objects.count() == 150  # acting-official rows dropped, transfers counted once
    assert not Asn.objects.filter(nip__startswith="'").exists()
    assert AnnualSkp.objects.filter(year=2025, plan_approved=True).count() == 150
    assert any("Unit baru dari BKN" in note for note in result.notes)


def test_laporan_penilaian_imports_ratings_and_the_deadline_edges_are_right():
    imported(SKP)
    result = imported(PENILAIAN)
    assert (result.kind, result.period_key) == ("penilaian", "2025-03")
    rated = MonthlyRecord.objects.filter(stage=rules.RATED)
    assert rated.count() == 126
    # Rows without a rating (hasil_akhir '-' or blank): filed, waiting for the appraiser the row names.
    waiting = MonthlyRecord.objects.filter(stage=rules.SUBMITTED)
    assert waiting.count() == 13 and not waiting.filter(atasan__isnull=True).exists()
    assert result.run.created == MonthlyRecord.objects.count() == 139
    # '15-04-2025 23:59:59' is naive WIB: on time; '16-04-2025 00:00:00' is late.
    edge = rated.get(asn__nip="197003211998031945")
    assert edge.rated_at == dt.datetime(2025, 4, 15, 23, 59, 59, tzinfo=rules.WIB)
    assert edge.status(dt.datetime(2025, 5, 1, tzinfo=rules.WIB)) == rules.ON_TIME
    late = rated.get(asn__nip="199403082020092796")
    assert late.status(dt.datetime(2025, 5, 1, tzinfo=rules.WIB)) == rules.LATE
    # "Sesuai Ekspektasi" / "DIATAS ESPEKTASI" spelled every way still make the matrix's predikat.
    assert not rated.filter(rating_hasil__isnull=True).exists()
    assert MonthlyRecord.objects.filter(source="import").count() == 139
    assert_rollup_exact()


def test_importing_the_same_file_twice_changes_nothing():
    imported(SKP)
    imported(PENILAIAN)
    before = records()
    again = imported(PENILAIAN)
    assert (again.run.created, again.run.updated) == (0, 0)
    assert records() == before


def test_siasn_export_updates_master_data():
    imported(SKP)
    result = imported(SIASN)
    assert result.run.updated > 100
    assert_rollup_exact()
    asn = Asn.objects.get(nip="197412182000072204")
    assert asn.nama == "Gusti Nugroho, S.E."
    assert asn.email == "gusti.nugroho74@gmail.com"  # email_gov is the string 'null' here
    assert (asn.phone, asn.siasn_pns_id) == ("082346477561", "A464C515BCD8E58E0A2389F41646AEC7")


def test_dry_run_writes_nothing():
    result = imported(SKP, dry_run=True)
    assert result.run.created == 150
    assert not Asn.objects.exists()
    assert not SyncRun.objects.exists()


HEADER = [
    "nip",
    "nama",
    "skp_unor",
    "skp_unor_induk",
    "is_skp_plt_plh_pjb",
    "hasil_kerja",
    "perilaku_kerja",
    "hasil_akhir",
    "waktu_dinilai",
]
GOOD = [
    "'198708152010011001",
    "Ani",
    "Bidang A",
    "Dinas Kesehatan",
    0,
    "SESUAI EKSPEKTASI",
    "DIATAS ESPEKTASI",
    "BAIK",
    "2025-04-10 09:00:00",
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({0: 1.98708152010011e17}, "baris 6, kolom nip: NIP tersimpan sebagai angka"),
        ({0: "19870815201001100"}, "baris 6, kolom nip: NIP 19870815201001100 terdiri dari 17 digit"),
        ({5: "LUAR BIASA"}, "baris 6, kolom hasil_kerja: Rating 'LUAR BIASA' tidak dikenal."),
        ({8: "kemarin sore"}, "baris 6, kolom waktu_dinilai: waktu 'kemarin sore' tidak dapat dibaca"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_row_and_column(tmp_path, change, expected):
    bad = list(GOOD)
    for index, value in change.items():
        bad[index] = value
    other = list(GOOD)
    other[0] = "199001012015011002"
    path = export_xlsx(tmp_path / "penilaian.xlsx", HEADER, [other, bad])
    with pytest.raises(ImportRefused) as refused:
        imported(path)
    assert any(problem.startswith(expected) for problem in refused.value.problems), refused.value.problems
    assert not Asn.objects.exists() and not MonthlyRecord.objects.exists()


def test_one_nip_rated_twice_differently_for_one_skp_is_refused(tmp_path):
    other = list(GOOD)
    other[6] = "DIBAWAH EKSPEKTASI"
    path = export_xlsx(tmp_path / "dup.xlsx", HEADER, [GOOD, other])
    with pytest.raises(ImportRefused) as refused:
        imported(path)
    expected = "baris 6, kolom nip: NIP ini juga ada di baris 5: dua penilaian dalam satu periode"
    assert refused.value.problems == [expected]
    assert not MonthlyRecord.objects.exists()


def test_the_same_row_twice_is_imported_once(tmp_path):
    path = export_xlsx(tmp_path / "dup.xlsx", HEADER, [GOOD, GOOD])
    assert imported(path).run.created == 1


def test_an_acting_official_row_is_not_a_duplicate(tmp_path):
    acting = list(GOOD)
    acting[4] = 1
    path = export_xlsx(tmp_path / "plt.xlsx", HEADER, [GOOD, acting])
    assert imported(path).run.created == 1


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.write_bytes(b""), "Berkas kosong."),
        (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "bukan spreadsheet"),
        (lambda p: p.write_text("a,b,c\n1,2,3\n"), "20 baris pertama"),
        (lambda p: p.write_text("nip,nama\n"), "20 baris pertama"),
    ],
)
def test_files_that_are_not_exports_get_one_clear_line(tmp_path, make, expected):
    path = tmp_path / "file.csv"
    make(path)
    with pytest.raises(ImportRefused) as refused:
        imported(path)
    assert expected in refused.value.problems[0]


def test_a_file_over_20_mb_is_refused(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    with pytest.raises(ImportRefused, match="paling besar 20 MB"):
        imported(path)


def test_period_must_match_the_title_and_is_needed_without_one(tmp_path):
    with pytest.raises(ImportRefused, match="bukan periode yang diminta, 2025-04"):
        imported(PENILAIAN, period=(2025, 4))
    untitled = export_xlsx(tmp_path / "untitled.xlsx", HEADER, [GOOD], title=("LAPORAN",))
    with pytest.raises(ImportRefused, match="isi periodenya"):
        imported(untitled)
    assert imported(untitled, period=(2025, 3)).run.created == 1


def test_the_command_exits_0_1_and_2(tmp_path):
    out = StringIO()
    call_command("import_bkn", str(SKP), stdout=out)
    assert "Laporan SKP 2025: imported: created 150" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("nip,nama\n")
    with pytest.raises(SystemExit) as exit:
        call_command("import_bkn", str(bad), stdout=StringIO(), stderr=StringIO())
    assert exit.value.code == 1
    with pytest.raises(CommandError) as error:
        call_command("import_bkn", str(tmp_path / "missing.xlsx"))
    assert error.value.returncode == 2


def test_the_real_command_line_lists_every_problem(tmp_path):
    copy = shutil.copy(PENILAIAN, tmp_path / "p.xlsx")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_bkn", str(copy), "--period", "2025-05", "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "refused, nothing was imported" in result.stderr


def test_bkpsdm_uploads_an_export_in_the_admin_panel(client):

    admin = bkpsdm_staff()
    client.force_login(admin)
    assert "Impor berkas ekspor BKN" in client.get("/admin/skp/syncrun/").content.decode()
    with SKP.open("rb") as upload:
        page = client.post("/admin/skp/syncrun/impor/", {"berkas": upload, "periode": ""}).content.decode()
    assert "Laporan SKP Tahun 2025 diimpor: 150 dibuat" in page
    assert SyncRun.objects.get(source="import").triggered_by == f"admin: {admin.username}"


def test_a_refused_upload_lists_every_problem_in_indonesian(client, tmp_path):

    admin = bkpsdm_staff()
    client.force_login(admin)
    bad = list(GOOD)
    bad[5] = "LUAR BIASA"
    path = export_xlsx(tmp_path / "bad.xlsx", HEADER, [bad])
    with path.open("rb") as upload:
        response = client.post("/admin/skp/syncrun/impor/", {"berkas": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Berkas ditolak; tidak ada yang diimpor" in page
    assert "baris 5, kolom hasil_kerja: Rating &#x27;LUAR BIASA&#x27; tidak dikenal." in page
    assert not MonthlyRecord.objects.exists()


def test_row_numbers_are_the_spreadsheet_s_even_after_blank_rows(tmp_path):
    bad = list(GOOD)
    bad[6] = "HEBAT"
    path = export_xlsx(tmp_path / "gaps.xlsx", HEADER, [GOOD, [], [], bad])
    with pytest.raises(ImportRefused) as refused:
        imported(path)
    # Title (2 rows), a blank row, the header on row 4, data on 5, blanks on 6-7, the bad row on 8.
    assert refused.value.problems == ["baris 8, kolom perilaku_kerja: Rating 'HEBAT' tidak dikenal."]
