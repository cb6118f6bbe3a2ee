"""Production settings and protections: check --deploy, CSP, lockout, password reset, Argon2, sessions, logs."""

import datetime as dt
import importlib
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail

from opd.models import AccessLog, User
from skp.models import RecordPayload
from skp.retention import prune_payloads
from tests.factories import AsnFactory, RecordFactory, asn_user

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-123"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "Zq8-!t4Lw@pB3vR0yN6sE1uJ9dH2cF7aX5mK",
        "ALLOWED_HOSTS": "kinerja.kapuaskab.go.id",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "TLS_PROXY": "1",
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_hashes_passwords_with_argon2():
    production = importlib.import_module("kapuas_kinerja.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert Argon2PasswordHasher().encode("kata-sandi", "garamgaramgaram").startswith("argon2$")


def test_pages_carry_a_strict_content_security_policy_and_no_inline_code(client):
    user = asn_user(AsnFactory())
    client.force_login(user)
    for url in ("/masuk/", f"/asn/{user.asn.nip}/", "/bantuan/", "/privasi/"):
        response = client.get(url, follow=True)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"
        page = response.content.decode()
        assert "<script>" not in page and 'style="' not in page and " on" + "click=" not in page
        assert '"includeIndicatorStyles": false' in page


def login(client, username, password, address="10.0.0.1"):
    return client.post("/masuk/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_a_nip_for_fifteen_minutes_from_any_address(client):
    user = asn_user(AsnFactory())
    for i in range(4):
        assert login(client, user.username, "salah", address=f"10.0.0.{i + 1}").status_code == 200
    assert login(client, user.username, "salah", address="10.0.0.5").status_code == 429  # the fifth locks it
    locked = login(client, user.username, PASSWORD, address="10.9.9.9")
    assert locked.status_code == 429 and "Login dikunci selama 15 menit" in locked.content.decode()
    other = asn_user(AsnFactory())
    assert login(client, other.username, PASSWORD, address="10.0.0.1").status_code == 302  # others unaffected
    client.logout()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert login(client, user.username, PASSWORD, address="10.9.9.9").status_code == 302


def test_twenty_failures_from_one_address_lock_that_address(client):
    users = [asn_user(AsnFactory()) for _ in range(5)]
    for i in range(20):  # four failures on each of five NIP: no NIP reaches its five
        login(client, users[i % 5].username, "salah", address="10.1.1.1")
    fresh = asn_user(AsnFactory())
    assert login(client, fresh.username, PASSWORD, address="10.1.1.1").status_code == 429
    assert login(client, fresh.username, PASSWORD, address="10.2.2.2").status_code == 302


def test_a_forgotten_password_is_reset_by_nip_through_the_asn_email(client, django_capture_on_commit_callbacks):
    user = asn_user(AsnFactory())
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends it through a task
        response = client.post("/kata-sandi/lupa/", {"email": user.username[:8] + " " + user.username[8:]})
    assert response["Location"] == "/kata-sandi/lupa/terkirim/"
    (sent,) = mail.outbox
    assert sent.to == [user.asn.email] and sent.subject == "Kinerja Kapuas: pilih kata sandi baru"
    link = next(word for word in sent.body.split() if "/kata-sandi/atur/" in word)
    path = link.split(django_settings.PORTAL_URL, 1)[1]
    form = client.get(path, follow=True)
    post_to = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = client.post(post_to, {"new_password1": "Kapuas-baru-2026", "new_password2": "Kapuas-baru-2026"})
    assert done["Location"] == "/kata-sandi/atur/selesai/"
    assert login(client, user.username, "Kapuas-baru-2026").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/kata-sandi/lupa/", {"email": "199901012020121001"}).status_code == 302
    assert len(mail.outbox) == 1  # an unknown NIP: the same answer, no email


def test_sessions_end_with_the_browser_and_after_eight_hours():
    production = importlib.import_module("kapuas_kinerja.settings")
    assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert production.SESSION_COOKIE_AGE == 8 * 60 * 60


def test_opening_an_asn_page_is_logged_with_who(client):
    viewer = asn_user(AsnFactory(), role=User.Role.ADMIN_BKPSDM)
    target = AsnFactory()
    client.force_login(viewer)
    client.get(f"/asn/{target.nip}/")
    (entry,) = AccessLog.objects.all()
    assert (entry.user, entry.action, entry.target) == (viewer, "view_asn", target.nip)


def test_old_raw_payloads_are_pruned_and_records_stay():
    old, new = RecordFactory(), RecordFactory()
    RecordPayload.objects.create(record=old, source="ekinerja", payload={"nip": old.asn.nip})
    RecordPayload.objects.create(record=new, source="ekinerja", payload={"nip": new.asn.nip})
    RecordPayload.objects.filter(record=old).update(received_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert prune_payloads(older_than_days=400, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)) == 1
    assert list(RecordPayload.objects.values_list("record_id", flat=True)) == [new.pk]
    old.refresh_from_db()  # the record itself is kept


def test_the_privacy_notice_is_public(client):
    response = client.get("/privasi/")
    page = response.content.decode()
    assert response.status_code == 200 and "Pemberitahuan privasi" in page
    assert "UU 27/2022 tentang Pelindungan Data Pribadi" in page and "dihapus setelah 400 hari" in page


def test_the_health_check_answers_over_plain_http_even_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/sehat/").content == b"ok"
    assert client.get("/masuk/").status_code == 301  # everything else goes to HTTPS
