"""What people do with messages: a head reminds now, an ASN activates a login or stops reminders."""

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from opd.models import User
from reminders.links import ACTIVATION_SALT, activation_token, unsubscribe_token
from reminders.models import Kind, Message, Unsubscription
from tests.factories import AsnFactory, OpdFactory, UserFactory, asn_user
from tests.world import WIB, build_world

NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=WIB)  # October is overdue


@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def test_the_kepala_reminds_one_overdue_asn_and_the_button_says_when(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.kepala)
    url = reverse("nudge_one", args=["DINKES", world.lazy.nip])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"periode": "2026-10"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Pengingat dikirim kepada 1 ASN." in response.text and "hari ini pukul 10.30 WIB" in response.text
    assert "<html" not in response.text
    (sent,) = mail.outbox
    assert sent.to == [world.lazy.email] and sent.subject == "Pengingat dari pimpinan OPD Anda: SKP Oktober 2026"
    assert "Batas waktu 15 November 2026 sudah lewat" in sent.body

    # A second click the same day sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"periode": "2026-10"}, headers={"HX-Request": "true"})
    assert "1 ASN sudah diingatkan hari ini." in response.text
    assert len(mail.outbox) == 1

    # The dashboard row says when the last reminder went out.
    page = client.get(reverse("opd_detail", args=["DINKES"]), {"periode": "2026-10"})
    assert "Terakhir diingatkan 18 November 2026, 10.30 WIB" in page.text


def test_remind_all_overdue_without_javascript_asks_first_then_goes_back_to_the_list_with_a_message(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.operator)
    back = reverse("opd_detail", args=["DINKES"]) + "?periode=2026-10"
    dashboard = client.get(back).text
    # The button is a link to a page that says who will get a message; nothing is sent by opening it.
    # The link carries no return address: the page the Kepala followed it from (after htmx filtering, the list
    # as it stands) is the one they go back to.
    confirm_url = "/opd/DINKES/ingatkan/?periode=2026-10"
    assert f'href="{confirm_url}"' in dashboard
    page = client.get(confirm_url, headers={"Referer": f"http://testserver{back}"}).text
    assert "Ingatkan semua yang lewat batas?" in page
    assert "3 ASN yang belum mengisi akan diingatkan." in page  # Ani, Eka and Fajar
    assert "1 atasan akan menerima satu pesan per atasan tentang 1 staf yang sudah mengisi" in page  # Budi's
    assert '<input type="hidden" name="konfirmasi" value="1">' in page
    assert f'<a href="http://testserver{back}#daftar">Batal</a>' in page
    # A POST that was not confirmed (an old form, a replayed request) shows the question again and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        unconfirmed = client.post(reverse("nudge_overdue", args=["DINKES"]), {"periode": "2026-10", "next": back})
    assert unconfirmed.status_code == 200 and "Ya, kirim pengingat" in unconfirmed.text
    assert mail.outbox == [] and not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("nudge_overdue", args=["DINKES"]), {"periode": "2026-10", "next": back, "konfirmasi": "1"}
        )
    assert response.status_code == 302 and response["Location"] == back + "#daftar"
    # Ani and Fajar have not filed (Eka has no address); Budi has filed, so his appraiser is reminded, not he.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.lazy.email, world.quiet.email, world.atasan.email])
    to_atasan = next(m for m in mail.outbox if m.to == [world.atasan.email])
    assert "Budi Sudah Mengisi" in to_atasan.body and world.filed.nip in to_atasan.body
    page = client.get(back).text
    message = (
        "Pengingat dikirim kepada 2 ASN. 1 ASN tidak punya email atau nomor WhatsApp. "
        "Pengingat dikirim kepada 1 atasan tentang staf yang menunggu penilaiannya."
    )
    # Shown at the list, where the redirect lands.
    assert page.index('id="daftar"') < page.index(message) < page.index('id="record-list"')


def test_the_confirmation_of_remind_all_never_sends_elsewhere(client, world):
    client.force_login(world.kepala)
    page = client.get("/opd/DINKES/ingatkan/?periode=2026-10&next=https://evil.example/").text
    assert "evil.example" not in page
    assert '<a href="/opd/DINKES/?periode=2026-10#daftar">Batal</a>' in page
    # Nor to another site it was followed from.
    page = client.get("/opd/DINKES/ingatkan/?periode=2026-10", headers={"Referer": "https://evil.example/x"}).text
    assert "evil.example" not in page


def test_a_month_never_brought_in_from_bkn_has_no_one_to_remind(client, world):
    client.force_login(world.kepala)
    assert client.get("/opd/DINKES/ingatkan/?periode=2025-01").status_code == 404
    confirmed = client.post(reverse("nudge_overdue", args=["DINKES"]), {"periode": "2025-01", "konfirmasi": "1"})
    assert confirmed.status_code == 404
    one = client.post(reverse("nudge_one", args=["DINKES", world.lazy.nip]), {"periode": "2025-01"})
    assert one.status_code == 404
    assert not Message.objects.exists() and mail.outbox == []


def test_only_heads_of_that_opd_and_bkpsdm_may_remind(client, world):
    url = reverse("nudge_one", args=["DINKES", world.lazy.nip])
    other = OpdFactory(kode="DISDIK")
    other_head = UserFactory(username="kepala-disdik", role=User.Role.KEPALA_OPD, opd=other)
    client.force_login(other_head)
    assert client.post(url, {"periode": "2026-10"}).status_code == 404
    client.force_login(world.bupati)  # the leadership reads, it does not act
    assert client.post(url, {"periode": "2026-10"}).status_code == 403
    client.force_login(asn_user(world.lazy))
    assert client.post(url, {"periode": "2026-10"}).status_code == 403
    client.force_login(world.admin)
    assert client.post(url, {"periode": "2026-10"})["Location"] == "/opd/DINKES/#daftar"
    client.logout()
    assert client.post(url, {"periode": "2026-10"})["Location"].startswith("/masuk/")
    assert client.get(url).status_code == 405


def test_an_asn_of_another_opd_cannot_be_reminded_through_this_one(client, world):
    stranger = OpdFactory(kode="DISDIK")
    outsider = AsnFactory(opd=stranger)
    client.force_login(world.kepala)
    assert client.post(reverse("nudge_one", args=["DINKES", outsider.nip]), {"periode": "2026-10"}).status_code == 404
    assert not Message.objects.exists()


def test_the_dashboard_counts_asn_without_a_working_email(client, world):
    Message.objects.create(
        idempotency_key="x",
        kind=Kind.NUDGE,
        channel="email",
        asn=world.lazy,
        address=world.lazy.email,
        subject="s",
        body_text="b",
        status=Message.Status.FAILED,
    )
    client.force_login(world.kepala)
    page = client.get(reverse("opd_detail", args=["DINKES"]))
    # Eka has no address; Ani's was refused.
    assert "2 ASN tidak punya email yang berfungsi" in page.text


def test_an_address_refused_while_the_dashboard_was_cached_shows_in_the_count(client, world, smtp):
    from reminders.outbox import send_waiting

    client.force_login(world.kepala)
    smtp.refuse.add(world.lazy.email)
    client.post(reverse("nudge_one", args=["DINKES", world.lazy.nip]), {"periode": "2026-10"})  # queued, not sent
    assert "1 ASN tidak punya email yang berfungsi" in client.get(reverse("opd_detail", args=["DINKES"])).text
    assert send_waiting().failed == 1
    assert "2 ASN tidak punya email yang berfungsi" in client.get(reverse("opd_detail", args=["DINKES"])).text


def test_an_asn_activates_a_login_from_the_link_once(client, world):
    token = activation_token(world.lazy.pk, f"/asn/{world.lazy.nip}/")
    url = reverse("activate", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and world.lazy.nip in page.text
    refused = client.post(url, {"password1": "kapuas-2026-aman", "password2": "lain-sama-sekali"})
    assert refused.status_code == 400 and "Kedua kata sandi berbeda." in refused.text
    done = client.post(url, {"password1": "kapuas-2026-aman", "password2": "kapuas-2026-aman"})
    assert done.status_code == 302 and done["Location"] == f"/asn/{world.lazy.nip}/"
    user = User.objects.get(username=world.lazy.nip)
    assert user.asn == world.lazy and user.role == User.Role.ASN and user.check_password("kapuas-2026-aman")
    assert client.get(done["Location"]).status_code == 200
    client.logout()
    again = client.get(url)
    assert again.status_code == 400 and "sudah dipakai" in again.text


def test_a_forged_or_expired_activation_link_is_refused(client, world, settings):
    forged = signing.dumps({"a": world.lazy.pk, "n": "/"}, salt=ACTIVATION_SALT, key="bukan-kunci-portal")
    assert client.get(reverse("activate", args=[forged])).status_code == 400
    token = activation_token(world.lazy.pk, "/")
    with time_machine.travel(NOW + dt.timedelta(days=settings.ACTIVATION_MAX_AGE_DAYS, minutes=1)):
        assert client.get(reverse("activate", args=[token])).status_code == 400
    assert not User.objects.filter(username=world.lazy.nip).exists()


def test_the_activation_link_never_sends_elsewhere(client, world):
    token = activation_token(world.lazy.pk, "https://contoh-jahat.example/")
    response = client.post(
        reverse("activate", args=[token]), {"password1": "kapuas-2026-aman", "password2": "kapuas-2026-aman"}
    )
    assert response["Location"] == "/"


def test_an_asn_asks_for_an_activation_email_with_their_nip(client, world, django_capture_on_commit_callbacks):
    url = reverse("activation_request")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"nip": world.lazy.nip[:8] + " " + world.lazy.nip[8:]})
    assert response.status_code == 200 and "Periksa email Anda" in response.text
    (sent,) = mail.outbox
    assert sent.to == [world.lazy.email] and "/aktivasi/" in sent.body
    # Unknown NIP, or one that already has a login: the same page, no email.
    with django_capture_on_commit_callbacks(execute=True):
        for nip in ("199001012015031001", world.head.nip):
            assert "Periksa email Anda" in client.post(url, {"nip": nip}).text
    assert len(mail.outbox) == 1
    bad = client.post(url, {"nip": "123"})
    assert bad.status_code == 400 and "NIP terdiri dari 18 angka." in bad.text


def test_the_login_page_offers_activation(client, db):
    assert reverse("activation_request") in client.get(reverse("login")).text


def test_one_click_unsubscribe_stops_reminders_of_that_kind(client, world):
    url = reverse("unsubscribe", args=[unsubscribe_token(world.lazy.pk, Kind.ASN_REMINDER)])
    page = client.get(url)
    assert page.status_code == 200 and "Pengingat untuk ASN" in page.text
    assert not Unsubscription.objects.filter(asn=world.lazy).exists()  # a link scanner's GET changes nothing
    # Mail programs POST without a CSRF token (RFC 8058).
    client.handler.enforce_csrf_checks = True
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert Unsubscription.objects.filter(asn=world.lazy, kind=Kind.ASN_REMINDER).exists()
    assert client.get(reverse("unsubscribe", args=["rusak"])).status_code == 400


def test_an_asn_sets_their_preferences(client, world):
    client.force_login(asn_user(world.lazy))
    url = reverse("preferences")
    assert client.get(url).status_code == 200
    client.post(url, {"kinds": [Kind.NUDGE]})
    assert list(Unsubscription.objects.filter(asn=world.lazy).values_list("kind", flat=True)) == [Kind.ASN_REMINDER]
    client.post(url, {"kinds": [Kind.NUDGE, Kind.ASN_REMINDER]})
    assert not Unsubscription.objects.filter(asn=world.lazy).exists()
    client.force_login(world.bupati)  # no ASN behind this login
    assert client.get(url).status_code == 403


def test_an_appraiser_reminds_their_own_staff_from_my_staff(client, world, django_capture_on_commit_callbacks):
    client.force_login(asn_user(world.atasan))
    page = client.get(reverse("staff"), {"periode": "2026-10"})
    assert reverse("nudge_staff", args=[world.lazy.nip]) in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("nudge_staff", args=[world.lazy.nip]), {"periode": "2026-10"})
    assert response["Location"] == reverse("staff") + "#daftar"  # back at the list
    assert [m.to for m in mail.outbox] == [[world.lazy.email]]
    # Not their staff: as if it did not exist.
    assert client.post(reverse("nudge_staff", args=[world.operator_asn.nip]), {"periode": "2026-10"}).status_code == 404
    client.force_login(asn_user(world.lazy))  # appraises no one
    assert client.post(reverse("nudge_staff", args=[world.filed.nip]), {"periode": "2026-10"}).status_code == 403


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around the request
def test_a_nudge_is_kept_when_the_broker_is_down_and_sent_by_the_next_sweep(client, world):
    from kapuas_kinerja.celery import app
    from reminders.outbox import send_waiting

    from .conftest import free_port

    before = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{free_port()}/0"
    app._pool = app.amqp._producer_pool = None  # pools keep the old broker: start afresh on the dead one
    try:
        client.force_login(world.kepala)
        response = client.post(
            reverse("nudge_one", args=["DINKES", world.lazy.nip]),
            {"periode": "2026-10"},
            headers={"HX-Request": "true"},
        )
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        app.pool.force_close_all()
        app._pool = app.amqp._producer_pool = None  # the next user of the broker gets fresh pools
    assert response.status_code == 200 and "Pengiriman tertunda" in response.text
    assert mail.outbox == [] and Message.objects.get().status == Message.Status.QUEUED
    assert send_waiting().sent == 1  # what the beat task does every ten minutes
    assert [m.to for m in mail.outbox] == [[world.lazy.email]]


def test_remind_all_with_an_address_no_mail_server_takes_still_reminds_the_others(
    client, world, smtp, django_capture_on_commit_callbacks
):
    # An address stored before addresses were checked where they enter (or typed into a login).
    Asn = type(world.lazy)
    Asn.objects.filter(pk=world.lazy.pk).update(email="a@x, spy@evil.example")
    client.force_login(world.operator)
    back = reverse("opd_detail", args=["DINKES"]) + "?periode=2026-10"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("nudge_overdue", args=["DINKES"]), {"periode": "2026-10", "next": back, "konfirmasi": "1"}
        )
    assert response.status_code == 302
    # Filed already: their appraiser is reminded about them (the nudge goes to whoever must act).
    assert sorted(m["To"] for m in smtp.received) == sorted([world.atasan.email, world.quiet.email])
    refused = Message.objects.get(asn=world.lazy)
    assert refused.status == Message.Status.FAILED and refused.last_error.startswith("invalid address")
    assert not Message.objects.filter(status=Message.Status.SENDING).exists()
