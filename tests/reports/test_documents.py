"""PDFs built in the background, and the signed annual SKP recap: uploaded, checked, kept, guarded."""

import base64
import datetime as dt
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from opd.models import User
from reports.models import AnnualRecapUpload, ReportJob
from tests.factories import OpdFactory, UserFactory
from tests.world import WIB, build_world

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)
# A 1x1 PNG: a picture that someone renamed to .pdf.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


@pytest.fixture
def signed_pdf():
    from weasyprint import HTML

    return HTML(string="<h1>Rekap SKP Tahunan 2025</h1><p>Ditandatangani dan dicap.</p>").write_pdf()


def words(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_a_recap_pdf_is_built_in_the_background_and_then_offered(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.kepala)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/laporan/", {"jenis": "opd_recap", "opd": "DINKES", "periode": "2026-10"})
    job = ReportJob.objects.get()
    assert response["Location"] == f"/laporan/{job.pk}/"
    assert job.status == "done"  # the worker ran it (in-process here)
    fragment = client.get(f"/laporan/{job.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and f"/laporan/{job.pk}/unduh/" in fragment.text
    download = client.get(f"/laporan/{job.pk}/unduh/")
    data = b"".join(download.streaming_content)
    assert "Rekap kepatuhan pelaporan SKP bulanan, Oktober 2026" in words(data)
    # Someone else's job: as if it did not exist.
    client.force_login(world.operator)
    assert client.get(f"/laporan/{job.pk}/").status_code == 404
    assert client.get(f"/laporan/{job.pk}/unduh/").status_code == 404


def test_while_a_pdf_is_being_built_the_page_polls_and_works_without_javascript(client, world):
    job = ReportJob.objects.create(kind="opd_recap", period=world.period, opd=world.opd, requested_by=world.kepala)
    client.force_login(world.kepala)
    page = client.get(f"/laporan/{job.pk}/")
    assert 'hx-trigger="every 2s"' in page.text and '<meta http-equiv="refresh" content="3">' in page.text
    assert "Menunggu" in page.text


def test_pdfs_are_asked_for_within_the_same_scope_as_the_pages(client, world):
    other = OpdFactory(kode="DISDIK")
    client.force_login(UserFactory(username="kepala-disdik", role=User.Role.KEPALA_OPD, opd=other))
    assert client.post("/laporan/", {"jenis": "opd_recap", "opd": "DINKES", "periode": "2026-10"}).status_code == 404
    assert client.post("/laporan/", {"jenis": "regency_recap", "periode": "2026-10"}).status_code == 403
    finance = UserFactory(username="bkad", role=User.Role.KEUANGAN)
    client.force_login(finance)
    assert client.post("/laporan/", {"jenis": "tpp_basis", "opd": "DINKES", "periode": "2026-10"}).status_code == 404
    assert not ReportJob.objects.exists()


def test_the_kepala_uploads_the_signed_recap_and_bkpsdm_verifies_it(client, world, signed_pdf, settings):
    client.force_login(world.kepala)
    page = client.get("/opd/DINKES/skp-tahunan/?tahun=2025")
    assert "Belum ada unggahan untuk tahun ini." in page.text
    upload = SimpleUploadedFile("rekap ttd.pdf", signed_pdf, content_type="application/pdf")
    response = client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": upload}, follow=True)
    assert "Versi 1 rekap bertanda tangan sudah diunggah." in response.text
    stored = AnnualRecapUpload.objects.get()
    assert (stored.year, stored.version, stored.status, stored.original_name) == (2025, 1, "submitted", "rekap ttd.pdf")
    assert stored.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))  # no URL serves that folder
    download = client.get(f"/dokumen/{stored.pk}/")
    assert b"".join(download.streaming_content) == signed_pdf

    # A second version is kept beside the first.
    client.post(
        "/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": SimpleUploadedFile("v2.pdf", signed_pdf)}
    )
    assert list(AnnualRecapUpload.objects.order_by("version").values_list("version", flat=True)) == [1, 2]

    # The head cannot verify their own recap; BKPSDM can, or return it with a reason.
    assert client.post(f"/dokumen/{stored.pk}/periksa/", {"keputusan": "terima"}).status_code == 403
    client.force_login(world.admin)
    overview = client.get("/skp-tahunan/?tahun=2025")
    assert "1 OPD belum mengunggah." in overview.text  # BKPSDM's own OPD
    response = client.post(f"/dokumen/{stored.pk}/periksa/", {"keputusan": "kembalikan", "alasan": ""}, follow=True)
    assert "Sebutkan alasan rekap dikembalikan." in response.text
    client.post(f"/dokumen/{stored.pk}/periksa/", {"keputusan": "kembalikan", "alasan": "Cap dinas tidak terbaca"})
    stored.refresh_from_db()
    assert stored.status == "returned" and stored.return_reason == "Cap dinas tidak terbaca"
    latest = AnnualRecapUpload.objects.get(version=2)
    client.post(f"/dokumen/{latest.pk}/periksa/", {"keputusan": "terima"})
    latest.refresh_from_db()
    assert latest.status == "verified" and latest.reviewed_by == world.admin
    assert LogEntry.objects.get_for_object(latest).filter(actor=world.admin).exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("foto.pdf", PNG, "bukan PDF"),
        ("kosong.pdf", b"", "kosong"),
        ("rusak.pdf", b"%PDF-1.7\nbukan isi pdf sebenarnya", "rusak"),
    ],
)
def test_a_file_that_is_not_a_real_pdf_is_refused_whatever_its_name(client, world, name, content, message):
    client.force_login(world.kepala)
    response = client.post(
        "/opd/DINKES/skp-tahunan/unggah/",
        {"tahun": "2025", "berkas": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=True,
    )
    assert message in response.text
    assert not AnnualRecapUpload.objects.exists()


def test_an_oversized_file_is_refused(client, world, settings, signed_pdf):
    settings.UPLOAD_MAX_BYTES = len(signed_pdf) - 1
    client.force_login(world.kepala)
    response = client.post(
        "/opd/DINKES/skp-tahunan/unggah/",
        {"tahun": "2025", "berkas": SimpleUploadedFile("a.pdf", signed_pdf)},
        follow=True,
    )
    assert "lebih besar dari" in response.text
    assert not AnnualRecapUpload.objects.exists()


def test_another_opd_cannot_upload_see_or_download_the_recap(client, world, signed_pdf):
    client.force_login(world.kepala)
    client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": SimpleUploadedFile("a.pdf", signed_pdf)})
    stored = AnnualRecapUpload.objects.get()
    other = OpdFactory(kode="DISDIK")
    client.force_login(UserFactory(username="op-disdik", role=User.Role.OPERATOR_OPD, opd=other))
    assert client.get(f"/dokumen/{stored.pk}/").status_code == 404
    assert client.get("/opd/DINKES/skp-tahunan/").status_code == 404
    assert client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025"}).status_code == 404
    client.force_login(UserFactory(username="bupati2", role=User.Role.PIMPINAN))
    assert client.get(f"/dokumen/{stored.pk}/").status_code == 200  # the leadership reads every OPD
    assert client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025"}).status_code == 403
