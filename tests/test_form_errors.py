"""A form sent back with errors marks each wrong field aria-invalid="true" and names, in its
aria-describedby, the message that says what is wrong (so a screen reader reads it with the field),
on every form of the portal that can refuse what it is sent."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from opd.models import User
from reminders.links import activation_token
from tests.factories import AsnFactory, OpdFactory, UserFactory, asn_user


class _Elements(HTMLParser):
    """Every element that has an id: its attributes and the text inside it."""

    def __init__(self):
        super().__init__()
        self.by_id, self.open = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"tag": tag, "attrs": attrs, "text": ""}
        if tag not in ("input", "br", "img", "meta", "link"):
            self.open.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag not in ("input", "br", "img", "meta", "link") and self.open:
            self.open.pop()

    def handle_data(self, data):
        for element_id in self.open:
            if element_id:
                self.by_id[element_id]["text"] += data


def elements(response) -> dict:
    parser = _Elements()
    parser.feed(response.content.decode())
    return parser.by_id


def described(page: dict, field_id: str) -> str:
    """The text a screen reader reads with the field: its aria-describedby's elements, which must exist."""
    field = page[field_id]["attrs"]
    assert field.get("aria-invalid") == "true", (field_id, field)
    ids = field.get("aria-describedby", "").split()
    assert ids, field_id
    missing = [i for i in ids if i not in page]
    assert not missing, (field_id, missing)
    return " ".join(page[i]["text"] for i in ids)


def valid(page: dict, field_id: str):
    assert "aria-invalid" not in page[field_id]["attrs"], field_id


@pytest.fixture
def asn(db):
    return AsnFactory(opd=OpdFactory(kode="DINKES"))


def test_a_refused_login_marks_both_fields_and_points_at_the_message(client, asn):
    asn_user(asn)
    response = client.post("/masuk/", {"username": asn.nip, "password": "salah-sama-sekali"})
    page = elements(response)
    for field in ("id_username", "id_password"):
        assert "NIP" in described(page, field) or "kata sandi" in described(page, field).lower()
    assert page["login-error"]["attrs"].get("role") == "alert"


def test_the_login_page_before_any_error_marks_nothing(client, db):
    page = elements(client.get("/masuk/"))
    valid(page, "id_username")
    valid(page, "id_password")


def test_forgot_password_with_no_nip(client, db):
    page = elements(client.post("/kata-sandi/lupa/", {"email": ""}))
    assert "tidak boleh kosong" in described(page, "id_email")


def test_a_new_password_typed_differently_the_second_time(client, asn):
    user = asn_user(asn)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    # Django trades the token in the link for one in the session, then asks for the password.
    form_url = client.get(f"/kata-sandi/atur/{uid}/{default_token_generator.make_token(user)}/")["Location"]
    page = elements(client.post(form_url, {"new_password1": "kapuas-2026-aman", "new_password2": "lain-sama-sekali"}))
    valid(page, "id_new_password1")
    assert "id_new_password2_error" in page["id_new_password2"]["attrs"]["aria-describedby"]
    assert described(page, "id_new_password2").strip()


def test_an_activation_request_with_a_short_nip(client, db):
    page = elements(client.post("/aktivasi/", {"nip": "1234"}))
    assert "18 angka" in described(page, "id_nip")


def test_an_activation_with_a_weak_password(client, asn):
    url = f"/aktivasi/{activation_token(asn.pk, '/')}/"
    page = elements(client.post(url, {"password1": "123", "password2": "123"}))
    text = described(page, "id_password1")
    # Its help text (what makes a good password) and the refusal, both read with the field.
    assert "id_password1_helptext" in page["id_password1"]["attrs"]["aria-describedby"]
    assert "id_password1_error" in page["id_password1"]["attrs"]["aria-describedby"]
    assert page["id_password1_error"]["text"].strip() and page["id_password1_error"]["text"] in text
    valid(page, "id_password2")


def test_a_helpdesk_ticket_with_nothing_filled_in(client, asn):
    client.force_login(asn_user(asn))
    page = elements(client.post("/bantuan/baru/", {"category": "", "subject": "", "description": ""}))
    for field in ("id_category", "id_subject", "id_description"):
        assert "tidak boleh kosong" in described(page, field)
    # The description's help text stays read with it.
    assert "id_description_helptext" in page["id_description"]["attrs"]["aria-describedby"]
    valid(page, "id_attachments")


def test_notification_preferences_with_a_choice_that_does_not_exist(client, asn):
    client.force_login(asn_user(asn))
    response = client.post("/akun/notifikasi/", {"kinds": ["bukan-pilihan"]})
    page = elements(response)
    fieldset = page["id_kinds_fieldset"]["attrs"]
    assert fieldset.get("aria-describedby") == "id_kinds_error", fieldset
    assert page["id_kinds_error"]["text"].strip()


@pytest.mark.parametrize(
    "url, field",
    [("/admin/skp/syncrun/impor/", "id_berkas"), ("/admin/opd/user/unggah-peran/", "id_berkas")],
)
def test_an_admin_upload_without_its_file(client, db, url, field):
    admin = UserFactory(username="bkpsdm", role=User.Role.ADMIN_BKPSDM, is_staff=True, is_superuser=True)
    client.force_login(admin)
    # Something else is sent (an empty POST is taken for a first visit).
    page = elements(client.post(url, {"periode": "2026-10"}))
    assert "tidak boleh kosong" in described(page, field)


def test_an_admin_upload_of_an_empty_file(client, db):
    admin = UserFactory(username="bkpsdm", role=User.Role.ADMIN_BKPSDM, is_staff=True, is_superuser=True)
    client.force_login(admin)
    empty = SimpleUploadedFile("kosong.xlsx", b"")
    page = elements(client.post("/admin/skp/syncrun/impor/", {"berkas": empty}))
    assert described(page, "id_berkas").strip()


def test_a_signed_recap_that_is_not_a_pdf(client, asn, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    client.force_login(asn_user(AsnFactory(opd=asn.opd, unit=None), User.Role.KEPALA_OPD, asn.opd))
    photo = SimpleUploadedFile("foto.pdf", b"\x89PNG\r\n\x1a\n", content_type="application/pdf")
    response = client.post("/opd/DINKES/skp-tahunan/unggah/", {"tahun": "2025", "berkas": photo})
    assert response.status_code == 400
    assert "bukan PDF" in described(elements(response), "id_berkas")
