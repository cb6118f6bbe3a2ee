"""Hostile input against accounts (issue 17): behind the proxy, at the reset and activation pages, in the admin."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opd.models import User
from reminders.models import PRIORITY_ACCOUNT, Kind, Message
from tests.factories import AsnFactory, UserFactory, asn_user, bkpsdm_staff

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-123"
PROXY = "10.0.0.254"  # the regency's reverse proxy, as the app sees it


def login(client, username, password, *, forwarded=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/masuk/", {"username": username, "password": password}, **headers)


# --- 1. proxy-correct client addresses -----------------------------------------


def test_behind_one_proxy_two_clients_are_counted_apart(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    users = [asn_user(AsnFactory()) for _ in range(5)]
    for i in range(20):  # client A: four failures on each of five NIP, all through the proxy
        login(client, users[i % 5].username, "salah", forwarded="203.0.113.5")
    fresh = asn_user(AsnFactory())
    locked = login(client, fresh.username, PASSWORD, forwarded="203.0.113.5")
    assert locked.status_code == 429 and "Login dikunci selama 15 menit" in locked.text
    # Client B comes through the same proxy and is not locked out with A.
    assert login(client, fresh.username, PASSWORD, forwarded="203.0.113.9").status_code == 302


def test_behind_one_proxy_what_the_client_wrote_before_the_proxy_is_not_believed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    users = [asn_user(AsnFactory()) for _ in range(5)]
    for i in range(20):  # A writes a new address each time; the proxy appends the real one
        login(client, users[i % 5].username, "salah", forwarded=f"192.0.2.{i}, 203.0.113.5")
    fresh = asn_user(AsnFactory())
    assert login(client, fresh.username, PASSWORD, forwarded="192.0.2.200, 203.0.113.5").status_code == 429


def test_without_a_proxy_a_spoofed_forwarded_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    users = [asn_user(AsnFactory()) for _ in range(5)]
    for i in range(20):  # a direct client makes up a new X-Forwarded-For for every attempt
        login(client, users[i % 5].username, "salah", forwarded=f"192.0.2.{i}", remote="198.51.100.7")
    fresh = asn_user(AsnFactory())
    assert login(client, fresh.username, PASSWORD, forwarded="192.0.2.99", remote="198.51.100.7").status_code == 429
    assert login(client, fresh.username, PASSWORD, remote="198.51.100.8").status_code == 302


def test_the_audit_trail_records_the_address_the_proxy_saw_not_one_the_client_wrote(client, world, settings):
    from auditlog.models import LogEntry

    settings.TRUSTED_PROXY_COUNT = 1
    upload = _recap(world)
    client.force_login(world.admin)
    client.post(
        f"/dokumen/{upload.pk}/periksa/",
        {"keputusan": "terima"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.5",  # the client wrote the first; the proxy appended the second
    )
    entry = LogEntry.objects.get_for_object(upload).filter(actor=world.admin).get()
    assert entry.remote_addr == "203.0.113.5"


# --- 4. reset and activation: the same path whatever the NIP -------------------


def _post_counting(client, url, data, capture):
    with CaptureQueriesContext(connection) as queries, capture() as callbacks:
        response = client.post(url, data, REMOTE_ADDR="10.3.3.3")
    return response, len(queries), callbacks


@pytest.mark.parametrize(
    ("url", "field", "answer"),
    [("/kata-sandi/lupa/", "email", 302), ("/aktivasi/", "nip", 200)],
)
def test_reset_and_activation_answer_a_known_and_an_unknown_nip_with_the_same_work(
    client, url, field, answer, django_capture_on_commit_callbacks
):
    known = asn_user(AsnFactory()) if field == "email" else AsnFactory()  # a login to reset; an ASN to activate
    nip = known.username if field == "email" else known.nip
    seen = {}
    for label, value in (("known", nip), ("unknown", "199901012020121001")):
        response, queries, callbacks = _post_counting(client, url, {field: value}, django_capture_on_commit_callbacks)
        assert response.status_code == answer
        page = re.sub(rb"[A-Za-z0-9]{64}", b"<csrf>", response.content)  # the only part that differs by request
        seen[label] = (queries, len(callbacks), page)
        # The answer did no mail work: nothing rendered into the outbox, nothing sent.
        assert not Message.objects.exists() and not mail.outbox
    assert seen["known"] == seen["unknown"]
    assert seen["known"][1] == 1  # one task queued, which looks the NIP up


def test_the_reset_task_queues_the_link_ahead_of_other_mail_and_the_outbox_sends_it_first(
    client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = asn_user(AsnFactory(nama="Ani <b>Kapuas</b>"))
    waiting = Message.objects.create(
        idempotency_key="reminder/older",
        kind=Kind.ASN_REMINDER,
        channel="email",
        asn=AsnFactory(),
        address="lain@example.go.id",
        subject="Pengingat",
        body_text="x",
    )
    from reminders import outbox

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/kata-sandi/lupa/", {"email": user.username})
    for callback in callbacks[:1]:  # run the lookup only; the outbox's send is checked below
        with django_capture_on_commit_callbacks(execute=False):
            callback()
    reset = Message.objects.get(kind=Kind.PASSWORD_RESET)
    assert reset.priority == PRIORITY_ACCOUNT < waiting.priority
    assert reset.address == user.asn.email and "/kata-sandi/atur/" in reset.body_text
    assert [m.pk for m in outbox.waiting(reset.created_at)] == [reset.pk, waiting.pk]


def test_reset_and_activation_requests_are_limited_per_nip_and_per_address(client, settings):
    settings.ACCOUNT_MAIL_MAX_PER_LOGIN_HOURLY = 3
    settings.ACCOUNT_MAIL_MAX_PER_ADDRESS_HOURLY = 10
    user = asn_user(AsnFactory())
    for _ in range(3):
        assert client.post("/kata-sandi/lupa/", {"email": user.username}, REMOTE_ADDR="10.4.4.1").status_code == 302
    # The fourth for this NIP this hour, from anywhere, is refused in Indonesian.
    refused = client.post("/kata-sandi/lupa/", {"email": user.username}, REMOTE_ADDR="10.4.4.2")
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.text
    # One address asking for ten different NIP, then an eleventh (an activation this time).
    for n in range(7):
        nip = f"19900101201503{n + 1:d}00{n}"[:18]
        assert client.post("/aktivasi/", {"nip": nip}, REMOTE_ADDR="10.4.4.1").status_code == 200
    over = client.post("/aktivasi/", {"nip": "199001012015031099"}, REMOTE_ADDR="10.4.4.1")
    assert over.status_code == 429 and "Terlalu banyak permintaan" in over.text
    assert client.post("/aktivasi/", {"nip": "199001012015031099"}, REMOTE_ADDR="10.4.4.3").status_code == 200


def test_the_outbox_hides_the_link_of_a_password_reset_from_the_admin_panel(client, django_capture_on_commit_callbacks):
    owner = UserFactory(username="pemilik", is_superuser=True, is_staff=True, email="pemilik@kapuaskab.go.id")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/kata-sandi/lupa/", {"email": "pemilik"})
    with django_capture_on_commit_callbacks(execute=False):
        callbacks[0]()
    reset = Message.objects.get(kind=Kind.PASSWORD_RESET, user=owner)
    admin = bkpsdm_staff()
    client.force_login(admin)
    page = client.get(f"/admin/reminders/message/{reset.pk}/change/")
    assert page.status_code == 200 and "pemilik@kapuaskab.go.id" in page.text
    assert "/kata-sandi/atur/" not in page.text


# --- 4. a BKPSDM admin and a superuser ------------------------------------------


def test_a_bkpsdm_admin_cannot_change_reset_or_deactivate_a_superuser(bkpsdm_client):
    owner = UserFactory(username="pemilik", is_superuser=True, is_staff=True)
    colleague = UserFactory(username="pimpinan-lain", role=User.Role.PIMPINAN)
    url = f"/admin/opd/user/{owner.pk}/"
    assert (
        bkpsdm_client.post(
            f"{url}password/", {"password1": "Ambil-alih-2026", "password2": "Ambil-alih-2026"}
        ).status_code
        == 403
    )
    form = bkpsdm_client.get(f"{url}change/")
    assert form.status_code == 200 and 'name="is_active"' not in form.text  # read only
    bkpsdm_client.post(f"{url}change/", {"username": "pemilik", "is_active": "", "role": "asn"})
    assert bkpsdm_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    owner.refresh_from_db()
    assert owner.is_active and owner.check_password(PASSWORD)
    # Other logins stay BKPSDM's to manage.
    assert bkpsdm_client.get(f"/admin/opd/user/{colleague.pk}/password/").status_code == 200


# --- 4. pages and downloads: no browser cache, no redirect elsewhere -----------


@pytest.fixture
def world(db, settings, tmp_path):
    from tests.world import build_world

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


def _recap(world):
    from django.core.files.base import ContentFile

    from reports.models import AnnualRecapUpload

    upload = AnnualRecapUpload(
        opd=world.opd,
        year=2025,
        version=1,
        original_name="rekap.pdf",
        size=8,
        sha256="0" * 64,
        uploaded_by=world.kepala,
    )
    upload.file.save("rekap.pdf", ContentFile(b"%PDF-1.4"), save=False)
    upload.save()
    return upload


def test_a_page_with_personal_data_and_a_download_are_never_stored_by_the_browser(client, world):
    client.force_login(world.kepala)
    page = client.get(f"/asn/{world.lazy.nip}/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store, private"
    download = client.get(f"/dokumen/{_recap(world).pk}/")
    assert download.status_code == 200 and download["Cache-Control"] == "no-store, private"
    client.logout()
    assert "no-store" not in client.get("/privasi/").get("Cache-Control", "")  # public pages may be kept


def test_checking_a_recap_never_sends_bkpsdm_to_another_site(client, world):
    upload = _recap(world)
    client.force_login(world.admin)
    response = client.post(
        f"/dokumen/{upload.pk}/periksa/", {"keputusan": "terima", "next": "https://contoh-jahat.example/masuk/"}
    )
    assert response.status_code == 302 and response["Location"] == "/opd/DINKES/skp-tahunan/?tahun=2025"
    response = client.post(f"/dokumen/{upload.pk}/periksa/", {"keputusan": "terima", "next": "//contoh-jahat.example/"})
    assert response["Location"] == "/opd/DINKES/skp-tahunan/?tahun=2025"
    inside = client.post(f"/dokumen/{upload.pk}/periksa/", {"keputusan": "terima", "next": "/skp-tahunan/?tahun=2025"})
    assert inside["Location"] == "/skp-tahunan/?tahun=2025"


# --- 4. CSV cells a spreadsheet will not run ----------------------------------


def test_compliance_csv_writes_formula_like_names_as_text(db):
    import csv
    import io

    from django.core.management import call_command

    from tests.factories import OpdFactory

    opd = OpdFactory(kode="DINKES", nama="+Dinas Kesehatan")
    AsnFactory(opd=opd, nama='=HYPERLINK("https://contoh-jahat.example","Klik")')
    AsnFactory(opd=opd, nama="@SUM(A1)")
    AsnFactory(opd=opd, nama="Ani Biasa")
    out = io.StringIO()
    call_command("compliance", "--period", "2025-03", "--format", "csv", "--as-of", "2025-05-01", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    names = sorted(row["nama"] for row in rows)
    assert names == ['\'=HYPERLINK("https://contoh-jahat.example","Klik")', "'@SUM(A1)", "Ani Biasa"]
    assert {row["opd_nama"] for row in rows} == {"'+Dinas Kesehatan"}


# --- 4. the helpdesk: limits per person and per ticket; subjects escaped in mail --

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _png(name="layar.png", size=0):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG + b"\0" * size, content_type="image/png")


def _ticket(client, subject="Tidak bisa masuk", files=()):
    data = {"category": "login", "subject": subject, "description": "Akun terkunci.", "attachments": list(files)}
    return client.post("/bantuan/baru/", data)


def test_the_helpdesk_takes_a_few_tickets_an_hour_from_one_person(client, world, settings):
    from helpdesk.models import Ticket

    settings.HELPDESK_MAX_TICKETS_PER_HOUR = 3
    client.force_login(asn_user(world.lazy))
    for _ in range(3):
        assert _ticket(client).status_code == 302
    refused = _ticket(client)
    assert refused.status_code == 429
    assert "Anda sudah membuat 3 tiket dalam satu jam terakhir" in refused.text
    assert Ticket.objects.count() == 3
    client.force_login(asn_user(world.filed))  # someone else is not held back
    assert _ticket(client).status_code == 302


def test_a_ticket_holds_a_limited_number_and_size_of_attachments(client, world, settings):
    from helpdesk.models import Attachment, Ticket

    settings.HELPDESK_MAX_ATTACHMENTS_PER_TICKET = 2
    settings.HELPDESK_MAX_TICKET_BYTES = 1024 * 1024
    client.force_login(asn_user(world.lazy))
    too_many = _ticket(client, files=[_png("a.png"), _png("b.png"), _png("c.png")])
    assert too_many.status_code == 400 and "Satu tiket paling banyak memuat 2 lampiran." in too_many.text
    assert not Ticket.objects.exists()

    assert _ticket(client, files=[_png("a.png", 600 * 1024)]).status_code == 302
    ticket = Ticket.objects.get()
    reply = client.post(
        f"/bantuan/{ticket.pk}/balas/",
        {"text": "Ini tangkapan layar lain.", "attachments": [_png("b.png", 600 * 1024)]},
    )
    page = client.get(reply["Location"])
    assert "Lampiran satu tiket paling besar 1 MB seluruhnya." in page.text
    client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "Satu lagi.", "attachments": [_png("c.png")]})
    third = client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "Dan lagi.", "attachments": [_png("d.png")]})
    assert "Satu tiket paling banyak memuat 2 lampiran." in client.get(third["Location"]).text
    assert Attachment.objects.filter(ticket=ticket).count() == 2


def test_a_subject_is_escaped_in_the_title_of_the_html_mail(client, world, django_capture_on_commit_callbacks):
    from helpdesk.models import Ticket

    client.force_login(asn_user(world.lazy))
    _ticket(client, subject="</title><script>alert(1)</script>")
    ticket = Ticket.objects.get()
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"/bantuan/{ticket.pk}/balas/", {"text": "Sudah kami buka kuncinya."})
    message = Message.objects.get(kind=Kind.HELPDESK)
    assert message.subject.endswith("</title><script>alert(1)</script>")  # the subject line is plain text
    title = message.body_html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "<script>" not in message.body_html
    assert message.priority < Message._meta.get_field("priority").default  # an answer goes ahead of reminders


# --- 4. the TPP PDF is built from the basis it was asked for -----------------------


def test_a_tpp_pdf_queued_while_final_and_built_after_a_reopening_is_that_final_version(
    client, world, django_capture_on_commit_callbacks
):
    from reports.models import ReportJob
    from tests.reports.test_documents import words
    from tpp.services import finalise_basis, reopen_basis

    final = finalise_basis(period=world.period, opd=world.opd, by=world.admin)
    finance = User.objects.create_user(username="bkad", password="x", role=User.Role.KEUANGAN)
    client.force_login(finance)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # the worker is busy
        client.post("/laporan/", {"jenis": "tpp_basis", "opd": "DINKES", "periode": "2026-10"})
    reopen_basis(finalisation=final, by=world.admin, reason="Salah data")
    for task in queued:
        task()
    job = ReportJob.objects.get()
    assert job.status == "done"
    text = words(b"".join(client.get(f"/laporan/{job.pk}/unduh/").streaming_content))
    assert "FINAL, versi 1" in text and "DRAF" not in text


def test_a_bkpsdm_admin_cannot_demote_a_superuser_through_the_roles_csv(bkpsdm_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    asn = AsnFactory()
    owner = UserFactory(username=asn.nip, asn=asn, is_superuser=True, is_staff=True, role=User.Role.ADMIN_BKPSDM)
    other = AsnFactory(opd=asn.opd)
    csv_file = SimpleUploadedFile("peran.csv", f"nip,role,opd\n{other.nip},asn,\n{asn.nip},asn,\n".encode())
    response = bkpsdm_client.post("/admin/opd/user/unggah-peran/", {"berkas": csv_file})
    assert response.status_code == 400
    assert f"NIP {asn.nip} adalah login superuser: hanya superuser yang boleh mengubahnya." in response.text
    owner.refresh_from_db()
    assert owner.is_staff and owner.role == User.Role.ADMIN_BKPSDM
    assert not User.objects.filter(username=other.nip).exists()  # all rows or none
