"""The regency's identity: its name everywhere, and the emblem BKPSDM uploads (checked by its content)."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from identity.models import Emblem
from opd.models import User
from tests.factories import AsnFactory, asn_user

pytestmark = pytest.mark.django_db

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, name, data):
    return client.post("/admin/identity/emblem/add/", {"picture": SimpleUploadedFile(name, data)})


def test_with_no_emblem_the_name_shows_alone(client):
    page = client.get("/masuk/").content.decode()
    assert "Pemerintah Kabupaten Kapuas" in page
    assert "<img" not in page  # no broken picture, nothing fetched from elsewhere
    assert client.get("/lambang/").status_code == 404


def test_bkpsdm_uploads_the_emblem_and_it_shows_on_the_login_page_and_the_header(bkpsdm_client, client):
    response = upload(bkpsdm_client, "lambang.png", PNG)
    assert response.status_code == 302
    emblem = Emblem.objects.get()
    assert (emblem.content_type, emblem.size) == ("image/png", len(PNG))
    header = bkpsdm_client.get("/bantuan/tanya-jawab/").content.decode()
    src = header.split('class="emblem" src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/lambang/?v=")
    bkpsdm_client.logout()
    login = client.get("/masuk/").content.decode()
    assert login.count(src) == 2 and "Pemerintah Kabupaten Kapuas" in login  # the header and the login box
    image = client.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content == PNG
    assert "max-age=31536000" in image["Cache-Control"] and "immutable" in image["Cache-Control"]
    assert image["X-Content-Type-Options"] == "nosniff"
    # An old address (an earlier version) is kept only briefly.
    assert "max-age=300" in client.get("/lambang/?v=lama")["Cache-Control"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("lambang.png", b"%PDF-1.4 not a picture"),
        ("lambang.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("lambang.png", PNG[:40]),  # cut short
    ],
)
def test_a_file_that_is_not_a_png_or_jpeg_is_refused_whatever_its_name(bkpsdm_client, media, name, data):
    response = upload(bkpsdm_client, name, data)
    assert response.status_code == 200
    assert "Lambang harus berupa gambar PNG atau JPEG" in response.content.decode()
    assert not Emblem.objects.exists() and not (media / "identity" / "lambang").exists()


def test_an_emblem_over_512_kb_is_refused(bkpsdm_client, media):
    big = PNG[:-12] + b"\0" * (512 * 1024) + PNG[-12:]
    response = upload(bkpsdm_client, "lambang.png", big)
    assert "Lambang lebih besar dari 512 KB." in response.content.decode()
    assert not Emblem.objects.exists()


def test_a_jpeg_is_accepted_and_replaces_the_png_under_a_new_address(bkpsdm_client):
    upload(bkpsdm_client, "lambang.png", PNG)
    first = bkpsdm_client.get("/bantuan/tanya-jawab/").content.decode()
    jpeg = b"\xff\xd8\xff\xe0" + b"\0" * 64 + b"\xff\xd9"
    response = bkpsdm_client.post("/admin/identity/emblem/1/change/", {"picture": SimpleUploadedFile("baru.jpg", jpeg)})
    assert response.status_code == 302
    assert Emblem.objects.get().content_type == "image/jpeg"
    assert bkpsdm_client.get("/lambang/").content == jpeg
    second = bkpsdm_client.get("/bantuan/tanya-jawab/").content.decode()
    assert "/lambang/?v=" in second and second != first  # a new version, a new address


def test_deleting_the_emblem_leaves_the_name_alone(bkpsdm_client, client):
    upload(bkpsdm_client, "lambang.png", PNG)
    bkpsdm_client.post("/admin/identity/emblem/1/delete/", {"post": "yes"})
    assert not Emblem.objects.exists()
    assert "<img" not in client.get("/masuk/").content.decode()


def test_only_bkpsdm_uploads_the_emblem(client):
    client.force_login(asn_user(AsnFactory(), User.Role.KEPALA_OPD, opd=AsnFactory().opd))
    assert upload(client, "lambang.png", PNG).status_code == 302  # to the admin login
    assert not Emblem.objects.exists()


def test_the_emblem_heads_the_pdf_recaps(bkpsdm_client, settings):
    from django.template.loader import render_to_string

    assert "<img" not in render_to_string("reports/pdf/_letterhead.html")
    upload(bkpsdm_client, "lambang.png", PNG)
    letterhead = render_to_string("reports/pdf/_letterhead.html")
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in letterhead
    assert "PEMERINTAH KABUPATEN KAPUAS" in letterhead


def test_a_recap_pdf_carries_the_emblem_as_an_image(bkpsdm_client, tmp_path):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    from tests.world import WIB, build_world

    upload(bkpsdm_client, "lambang.png", PNG)
    out = tmp_path / "rekap.pdf"
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB), tick=False):
        build_world()
        call_command("report", "--period", "2026-10", "--opd", "DINKES", "--format", "pdf", "--output", str(out))
    first_page = PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert len(first_page.images) == 1
    assert first_page.extract_text().startswith("PEMERINTAH KABUPATEN KAPUAS")
