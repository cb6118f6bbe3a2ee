"""Documents are named as people read them: the OPD's name and the month in words, never its code, the
period key or the storage's random suffix; every time in them written the one way (15 April 2025, 10.09 WIB)."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader
from weasyprint import HTML

from reports import recaps
from tests.world import WIB, build_world
from tpp.selectors import live_basis

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def attachment_name(response) -> str:
    return response["Content-Disposition"].split('filename="', 1)[1].rstrip('"')


def pdf_words(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_excel_recaps_are_named_with_the_opd_and_the_month_in_words(client, world):
    client.force_login(world.admin)
    assert attachment_name(client.get("/opd/DINKES/rekap.xlsx?periode=2026-10")) == (
        "Rekap-Dinas-Kesehatan-Oktober-2026.xlsx"
    )
    assert attachment_name(client.get("/opd/DINKES/tpp.xlsx?periode=2026-10")) == (
        "Dasar-TPP-Dinas-Kesehatan-Oktober-2026.xlsx"
    )
    assert attachment_name(client.get("/kabupaten/rekap.xlsx?periode=2026-10")) == (
        "Rekap-Kabupaten-Kapuas-Oktober-2026.xlsx"
    )


def test_the_signed_recap_downloads_under_a_readable_name(client, world):
    signed = HTML(string="<p>Rekap SKP Tahunan 2025, ditandatangani.</p>").write_pdf()
    client.force_login(world.kepala)
    client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": SimpleUploadedFile("ttd.pdf", signed)})
    client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": SimpleUploadedFile("ttd.pdf", signed)})
    page = client.get("/opd/DINKES/skp-tahunan/?tahun=2025").content.decode()
    assert page.count(">ttd.pdf</a>") == 2  # the name it was uploaded under, not the stored one
    from reports.models import AnnualRecapUpload

    second = AnnualRecapUpload.objects.get(version=2)
    assert attachment_name(client.get(f"/dokumen/{second.pk}/")) == (
        "Rekap-SKP-Tahunan-bertanda-tangan-Dinas-Kesehatan-2025-versi-2.pdf"
    )


def test_every_pdf_footer_names_the_opd_and_the_month_in_words(world):
    with time_machine.travel(NOW, tick=False):
        recap = pdf_words(recaps.opd_recap_pdf(opd=world.opd, period=world.period, as_of=NOW))
        regency = pdf_words(recaps.regency_recap_pdf(period=world.period, as_of=NOW))
        tpp = pdf_words(recaps.tpp_pdf(live_basis(period=world.period, opd=world.opd, as_of=NOW)))
        annual = pdf_words(recaps.annual_recap_pdf(opd=world.opd, year=2026))
    assert "Dinas Kesehatan · Oktober 2026" in recap and "Dinas Kesehatan · Oktober 2026" in tpp
    assert "Pemerintah Kabupaten Kapuas · Oktober 2026" in regency
    assert "Dinas Kesehatan · Tahun 2026" in annual
    for text in (recap, regency, tpp, annual):
        assert "DINKES" not in text and "2026-10" not in text, text
        assert "Dicetak 20 November 2026, 09.00 WIB" in text and re.search(r"Halaman 1 dari \d", text)
    assert "Data per 20 November 2026, 09.00 WIB" in recap
    assert "Data per 20 November 2026, 09.00 WIB" in tpp


def test_the_access_log_names_each_download_as_people_do(client, world, django_capture_on_commit_callbacks):
    from opd.models import AccessLog

    client.force_login(world.kepala)
    client.get("/opd/DINKES/rekap.xlsx?periode=2026-10")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/laporan/", {"jenis": "opd_recap", "opd": "DINKES", "periode": "2026-10"})
    from reports.models import ReportJob

    client.get(f"/laporan/{ReportJob.objects.get().pk}/unduh/")
    assert list(AccessLog.objects.order_by("pk").values_list("target", flat=True)) == [
        "Rekap-Dinas-Kesehatan-Oktober-2026.xlsx",
        "Rekap-Dinas-Kesehatan-Oktober-2026.pdf",
    ]
