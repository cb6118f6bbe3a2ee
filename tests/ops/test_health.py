"""The health page for BKPSDM (/operasi/) and /sehat/: plain liveness, or the detail behind HEALTH_TOKEN."""

import datetime as dt

import pytest
import time_machine

from opd.models import User
from ops.models import BEAT, Mark
from reminders.models import Message
from skp import rules
from skp.models import SyncRun
from tests.factories import AsnFactory, OpdFactory, UserFactory, asn_user
from tests.ops.conftest import add_run

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=rules.WIB)
TOKEN = "monitor-token-of-the-it-office-0123"


@pytest.fixture
def state(admins):
    """Syncs, an import, a tick and a waiting message, as a day at the regency leaves them."""
    add_run("ekinerja", SyncRun.Status.SUCCEEDED, NOW - dt.timedelta(hours=8, minutes=30))
    add_run("ekinerja", SyncRun.Status.FAILED, NOW - dt.timedelta(hours=1), message="e-Kinerja refused the token")
    add_run("siasn", SyncRun.Status.SUCCEEDED, NOW - dt.timedelta(days=5), period="")
    add_run("import", SyncRun.Status.SUCCEEDED, NOW - dt.timedelta(days=2))
    Mark.objects.create(name=BEAT, at=NOW - dt.timedelta(minutes=4))
    tim = admins["tim.bkpsdm@kapuaskab.go.id"]
    message = Message.objects.create(idempotency_key="t/1", kind="nudge", channel="email", user=tim, address="a@b.id")
    Message.objects.filter(pk=message.pk).update(created_at=NOW - dt.timedelta(hours=2))


def bkpsdm_admin():
    return asn_user(AsnFactory(opd=OpdFactory(kode="BKPSDM")), User.Role.ADMIN_BKPSDM)


def test_bkpsdm_sees_syncs_import_beat_and_outbox_in_wib(client, state):
    client.force_login(bkpsdm_admin())
    with time_machine.travel(NOW, tick=False):
        response = client.get("/operasi/")
    page = response.content.decode()
    assert response.status_code == 200 and "Kesehatan portal" in page
    assert "Semua berjalan: sinkronisasi, penjadwal dan kotak keluar." in page
    # e-Kinerja: the last success finished at 01:01 WIB, a run failed since.
    assert "<td>20 November 2026, 01.01 WIB</td>" in page and "Gagal, 20 November 2026, 08.30 WIB" in page
    assert "1 kali" in page
    assert "15 November 2026, 09.31 WIB" in page  # SIASN's last success
    assert "18 November 2026, 09.31 WIB" in page  # the last import
    assert "Data terakhir masuk (sinkronisasi atau impor): 20 November 2026, 01.01 WIB" in page
    assert "Detak terakhir: 20 November 2026, 09.26 WIB" in page
    assert "diantrekan 20 November 2026, 07.30 WIB (2\xa0jam yang lalu)" in page


def test_the_page_says_what_is_wrong(client, state):
    client.force_login(bkpsdm_admin())
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        page = client.get("/operasi/").content.decode()
    assert "Perlu ditangani" in page
    assert "Data lebih tua dari 24 jam" in page and "Penjadwal (Celery beat) berhenti" in page


def test_the_menu_links_the_page_for_bkpsdm_only(client, db):
    client.force_login(bkpsdm_admin())
    assert 'href="/operasi/"' in client.get("/privasi/").content.decode()
    client.force_login(UserFactory(username="bupati", role=User.Role.PIMPINAN))
    assert 'href="/operasi/"' not in client.get("/privasi/").content.decode()


@pytest.mark.parametrize("role", [User.Role.PIMPINAN, User.Role.KEUANGAN, User.Role.KEPALA_OPD, User.Role.ASN])
def test_other_roles_may_not_open_it(client, db, role):
    opd = OpdFactory(kode="DINKES")
    client.force_login(asn_user(AsnFactory(opd=opd), role, opd if role == User.Role.KEPALA_OPD else None))
    assert client.get("/operasi/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get("/operasi/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_sehat_without_a_token_is_the_plain_liveness(client, state, settings):
    settings.HEALTH_TOKEN = TOKEN
    response = client.get("/sehat/")
    assert response.content == b"ok" and response["Content-Type"] == "text/plain"


def test_sehat_with_the_token_gives_the_monitor_the_detail(client, state, settings):
    settings.HEALTH_TOKEN = TOKEN
    with time_machine.travel(NOW, tick=False):
        response = client.get("/sehat/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["sync"]["ekinerja"]["last_success"]["finished_at"] == "2026-11-20T01:01:00+07:00"
    assert body["sync"]["ekinerja"]["last_run"]["status"] == "failed"
    assert body["sync"]["ekinerja"]["failures_since_success"] == 1
    assert body["sync"]["siasn"]["last_success"]["started_at"] == "2026-11-15T09:30:00+07:00"
    assert body["last_import"]["status"] == "succeeded"
    assert body["beat"] == {"last_tick": "2026-11-20T09:26:00+07:00", "silent": False}
    assert body["outbox"]["waiting"] == 1 and body["outbox"]["oldest_waiting_at"] == "2026-11-20T07:30:00+07:00"
    assert body["outbox"]["failure_rate_last_hour"] is None  # nothing was tried


def test_sehat_answers_503_with_the_problems_while_something_is_wrong(client, state, settings):
    settings.HEALTH_TOKEN = TOKEN
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        response = client.get("/sehat/", headers={"X-Health-Token": TOKEN})
    assert response.status_code == 503
    assert response.json()["status"] == "alert"
    assert [p["code"] for p in response.json()["problems"]] == ["stale", "beat"]


def test_a_wrong_token_or_none_configured_is_refused_not_answered_ok(client, state, settings):
    settings.HEALTH_TOKEN = TOKEN
    wrong = client.get("/sehat/", headers={"Authorization": "Bearer not-the-token-at-all-xxxx"})
    assert wrong.status_code == 401 and b"ekinerja" not in wrong.content
    settings.HEALTH_TOKEN = ""
    unset = client.get("/sehat/", headers={"Authorization": f"Bearer {TOKEN}"})
    assert unset.status_code == 401 and unset.content == b"HEALTH_TOKEN is not set on the server"


def test_a_short_health_token_stops_start_up(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("HEALTH_TOKEN", "short")
    monkeypatch.delitem(sys.modules, "kapuas_kinerja.settings", raising=False)
    with pytest.raises(ImproperlyConfigured, match="HEALTH_TOKEN must be at least 20 characters"):
        importlib.import_module("kapuas_kinerja.settings")


def test_the_check_costs_the_same_queries_whatever_the_history(admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ops.selectors import health

    def queries():
        with CaptureQueriesContext(connection) as captured:
            health(NOW)
        return len(captured)

    add_run("ekinerja", SyncRun.Status.FAILED, NOW - dt.timedelta(days=1))
    few = queries()
    for day in range(2, 60):
        add_run("ekinerja", SyncRun.Status.FAILED, NOW - dt.timedelta(days=day), period=f"2026-{day % 12 + 1:02d}")
        add_run("siasn", SyncRun.Status.SUCCEEDED, NOW - dt.timedelta(days=day), period="")
    assert queries() == few
