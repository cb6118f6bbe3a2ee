"""On a slow phone connection: pages and static files travel compressed, an expired session during an
HTMX request reloads the window at the login page, and a PDF request is answered at once."""

import datetime as dt
import gzip

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from reports.models import ReportJob
from tests.world import WIB, build_world

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB)
HTMX = "vendor/htmx-2.0.11.min.js"


@pytest.fixture
def world(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client, world):
    client.force_login(world.kepala)
    plain = client.get("/opd/DINKES/")
    packed = client.get("/opd/DINKES/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "Ani Belum Mengisi" in page
    assert len(packed.content) * 3 < len(plain.content)


def test_gzipped_pages_vary_in_length_against_breach(client, db):
    # Django's GZipMiddleware pads the gzip header's file name with a random number of bytes
    # ("Heal The Breach"), so an attacker cannot read secrets from the compressed length.
    answers = [client.get("/masuk/", headers={"Accept-Encoding": "gzip"}) for _ in range(8)]
    assert {a["Content-Encoding"] for a in answers} == {"gzip"}

    def padding(body: bytes) -> int:
        # RFC 1952: a 10-byte header, then (with the FNAME flag) a file name ending in NUL.
        return body.index(b"\0", 10) - 10 if body[3] & 0x08 else 0

    assert len({padding(a.content) for a in answers}) > 1


@pytest.fixture
def collected(settings, tmp_path):
    """Static files as production has them: collected (with their gzip and brotli copies), then served by WhiteNoise."""
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_collectstatic_writes_compressed_copies_and_whitenoise_serves_them(collected):
    assert (collected / f"{HTMX}.gz").exists() and (collected / f"{HTMX}.br").exists()
    client = Client()  # a new client builds its middleware now, so WhiteNoise sees the collected files
    plain = client.get(f"/static/{HTMX}")
    packed = client.get(f"/static/{HTMX}", headers={"Accept-Encoding": "gzip"})
    brotli = client.get(f"/static/{HTMX}", headers={"Accept-Encoding": "gzip, br"})
    assert plain.status_code == packed.status_code == brotli.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and brotli["Content-Encoding"] == "br"
    full = int(plain["Content-Length"])
    assert int(packed["Content-Length"]) * 3 < full and int(brotli["Content-Length"]) < int(packed["Content-Length"])
    assert gzip.decompress(b"".join(packed.streaming_content)) == b"".join(plain.streaming_content)
    css = client.get("/static/css/kinerja.css", headers={"Accept-Encoding": "gzip"})
    assert css["Content-Encoding"] == "gzip"


# --- an expired session during an HTMX request ----------------------------------------------


def test_an_htmx_filter_after_the_session_expired_sends_the_whole_window_to_the_login_page(client, world):
    response = client.get(
        "/opd/DINKES/?status=overdue",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/opd/DINKES/?status=overdue"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/masuk/?next=%2Fopd%2FDINKES%2F%3Fstatus%3Doverdue"
    assert response.content == b""  # nothing to swap into the list


def test_an_htmx_nudge_after_the_session_expired_sends_nothing_and_goes_to_the_login_page(client, world):
    response = client.post(
        f"/opd/DINKES/ingatkan/{world.lazy.nip}/",
        {"periode": "2026-10"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/opd/DINKES/"},
    )
    assert response["HX-Redirect"] == "/masuk/?next=%2Fopd%2FDINKES%2F"
    assert b"<form" not in response.content  # never the login form inside a table row
    assert mail.outbox == []


def test_an_htmx_request_from_another_site_comes_back_to_the_home_page_after_login(client, world):
    response = client.post(
        "/opd/DINKES/ingatkan/",
        {"periode": "2026-10"},
        headers={"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/phish/"},
    )
    assert response["HX-Redirect"] == "/masuk/?next=%2F"


def test_a_plain_request_of_an_anonymous_user_is_still_redirected_as_usual(client, world):
    response = client.get("/opd/DINKES/")
    assert response.status_code == 302 and response["Location"] == "/masuk/?next=/opd/DINKES/"
    assert "HX-Redirect" not in response


def test_a_logged_in_htmx_request_is_answered_as_before(client, world):
    client.force_login(world.kepala)
    response = client.get("/opd/DINKES/?status=overdue", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "HX-Redirect" not in response
    assert "Ani Belum Mengisi" in response.text and "<html" not in response.text


# --- a PDF ---------------------------------------------------------------------------------------


def test_a_pdf_request_is_answered_with_its_progress_page_and_built_by_the_worker(
    client, world, django_capture_on_commit_callbacks
):
    """With a worker (Redis configured) the request only queues the job; the PDF is built elsewhere."""
    from kapuas_kinerja.celery import app

    client.force_login(world.kepala)
    app.conf.task_always_eager = False  # as in production: the task goes to the broker (in memory here)
    try:
        with django_capture_on_commit_callbacks(execute=True) as queued:
            response = client.post("/laporan/", {"jenis": "opd_recap", "opd": "DINKES", "periode": "2026-10"})
    finally:
        app.conf.task_always_eager = True
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/laporan/{job.pk}/"
    assert len(queued) == 1  # the job went to the queue...
    assert job.status == ReportJob.Status.QUEUED and not job.file  # ...and the request built nothing
    page = client.get(response["Location"])
    assert "Menunggu" in page.text and 'hx-trigger="every 2s"' in page.text


def test_a_pdf_is_downloaded_under_its_own_name_without_the_storage_suffix(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    client.force_login(world.kepala)
    names = []
    for _ in range(2):  # the second file of the same name gets a random suffix on disk
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/laporan/", {"jenis": "opd_recap", "opd": "DINKES", "periode": "2026-10"})
        job = ReportJob.objects.latest("pk")
        names.append(job.file.name)
        download = client.get(f"/laporan/{job.pk}/unduh/")
        assert download["Content-Disposition"] == 'attachment; filename="Rekap-Dinas-Kesehatan-Oktober-2026.pdf"'
    assert names[0] != names[1]
