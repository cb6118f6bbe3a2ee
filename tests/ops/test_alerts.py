"""BKPSDM's admins are emailed once per trouble: syncs failing twice in a row, stale data, a silent
beat, an outbox that fails for an hour; a sync that is not configured alerts nobody."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from ops.models import BEAT, Mark
from ops.services import check_operations
from reminders import outbox
from reminders.models import Message
from skp import rules
from skp.bkn.simulator import TOKEN, Faults
from skp.models import SyncRun
from skp.tasks import sync_recent_periods
from tests.ops.conftest import add_run

pytestmark = pytest.mark.django_db
WIB = rules.WIB
NIGHT = dt.datetime(2026, 11, 3, 1, 0, tzinfo=WIB)
F, OK = SyncRun.Status.FAILED, SyncRun.Status.SUCCEEDED


def alerts():
    return list(Message.objects.filter(idempotency_key__startswith="ops/").order_by("address", "pk"))


def check(at):
    with time_machine.travel(at, tick=False):
        return check_operations()


def test_two_failed_nightly_syncs_in_a_row_email_bkpsdm_admins_once(admins, smtp, served, settings):
    # A configured e-Kinerja that refuses the portal's token: every nightly run fails at once.
    settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN = served(Faults(refuse_token=True)), TOKEN
    for night in range(4):
        with time_machine.travel(NIGHT + dt.timedelta(days=night), tick=False):
            assert [r.split(": ")[1] for r in sync_recent_periods.apply().get()] == ["failed", "failed"]
            result = check_operations()
        outbox.send_waiting()
        if night == 0:  # one bad night (two periods) is not yet two in a row
            assert result.health.problems == [] and smtp.received == []
        if night == 1:
            assert [p.code for p in result.health.problems] == ["sync-failed-ekinerja"]
    assert sorted(m["To"] for m in smtp.received) == sorted(admins)  # once each, not on nights 3 and 4
    mail = smtp.to("sari@kapuaskab.go.id")[0]
    assert mail["Subject"] == "Kinerja Kapuas: Sinkronisasi e-Kinerja gagal 2 kali berturut-turut"
    text = mail.get_payload(0).get_payload(decode=True).decode()
    assert "Yth. Sari Admin," in text
    assert "Gagal sejak 3 November 2026, 01.00 WIB" in text and "EKINERJA_TOKEN" in text
    assert "/operasi/" in text


def test_a_success_ends_the_streak_and_the_next_two_failures_email_again(admins, settings):
    settings.SYNC_STALE_AFTER_HOURS = 30 * 24  # only the failures here
    add_run("ekinerja", F, NIGHT)
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=1))
    assert len(check(NIGHT + dt.timedelta(days=1, hours=1)).queued) == 2
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=2))
    assert check(NIGHT + dt.timedelta(days=2, hours=1)).queued == []  # the same streak
    add_run("ekinerja", OK, NIGHT + dt.timedelta(days=3))
    assert check(NIGHT + dt.timedelta(days=3, hours=1)).health.problems == []
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=4))
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=5))
    assert len(check(NIGHT + dt.timedelta(days=5, hours=1)).queued) == 2  # a new streak, a new email
    assert len(alerts()) == 4


def test_a_partly_failed_run_brought_data_and_ends_the_streak(admins):
    add_run("siasn", F, NIGHT, period="")
    add_run("siasn", SyncRun.Status.PARTLY_FAILED, NIGHT + dt.timedelta(days=7), period="")
    add_run("siasn", F, NIGHT + dt.timedelta(days=14), period="")
    assert check(NIGHT + dt.timedelta(days=14, hours=1)).health.problems == []


def test_failures_of_two_periods_in_one_night_are_one_failure(admins):
    add_run("ekinerja", F, NIGHT, period="2026-10")
    add_run("ekinerja", F, NIGHT + dt.timedelta(minutes=2), period="2026-11")
    assert check(NIGHT + dt.timedelta(hours=1)).health.problems == []
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=1), period="2026-11")
    assert [p.code for p in check(NIGHT + dt.timedelta(days=1, hours=1)).health.problems] == ["sync-failed-ekinerja"]


def test_a_sync_that_is_not_configured_alerts_nobody(admins):
    for night in range(5):
        add_run("ekinerja", "not_configured", NIGHT + dt.timedelta(days=night))
        add_run("siasn", "not_configured", NIGHT + dt.timedelta(days=night), period="")
    result = check(NIGHT + dt.timedelta(days=5))
    assert result.health.problems == [] and alerts() == []
    # Neither a success nor a failure: it neither ends a streak nor adds to one.
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=6))
    add_run("ekinerja", "not_configured", NIGHT + dt.timedelta(days=7))
    assert check(NIGHT + dt.timedelta(days=7, hours=1)).health.problems == []
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=8))
    assert [p.code for p in check(NIGHT + dt.timedelta(days=8, hours=1)).health.problems] == ["sync-failed-ekinerja"]


def test_stale_data_emails_once_until_new_data_arrives(admins, settings):
    settings.SYNC_STALE_AFTER_HOURS = 24
    add_run("import", OK, NIGHT, period="2026-10")
    assert check(NIGHT + dt.timedelta(hours=23)).health.problems == []
    first = check(NIGHT + dt.timedelta(hours=25))
    assert [p.code for p in first.health.problems] == ["stale"] and len(first.queued) == 2
    assert first.queued[0].subject == "Kinerja Kapuas: Data lebih tua dari 24 jam"
    assert check(NIGHT + dt.timedelta(hours=49)).queued == []
    add_run("ekinerja", OK, NIGHT + dt.timedelta(days=3))  # fresh data: the streak ends
    assert check(NIGHT + dt.timedelta(days=3, hours=2)).health.problems == []
    assert len(check(NIGHT + dt.timedelta(days=4, hours=2)).queued) == 2  # stale again: a new email


def test_a_siasn_sync_does_not_freshen_the_monthly_data(admins):
    add_run("ekinerja", OK, NIGHT)
    add_run("siasn", OK, NIGHT + dt.timedelta(days=2), period="")
    assert [p.code for p in check(NIGHT + dt.timedelta(days=2, hours=1)).health.problems] == ["stale"]


def test_an_installation_without_any_data_yet_is_not_stale(admins):
    assert check(NIGHT).health.problems == []


def test_a_beat_silent_for_an_hour_emails_once(admins):
    Mark.objects.create(name=BEAT, at=NIGHT)
    assert check(NIGHT + dt.timedelta(minutes=59)).health.problems == []
    late = check(NIGHT + dt.timedelta(minutes=61))
    assert [p.code for p in late.health.problems] == ["beat"] and len(late.queued) == 2
    assert "Penjadwal (Celery beat) berhenti" in late.queued[0].subject
    assert check(NIGHT + dt.timedelta(hours=5)).queued == []


def test_the_heartbeat_task_records_a_tick(admins):
    from ops.tasks import record_heartbeat

    with time_machine.travel(NIGHT, tick=False):
        record_heartbeat.apply()
    assert Mark.objects.get(name=BEAT).at == NIGHT
    assert check(NIGHT + dt.timedelta(minutes=30)).health.beat_silent is False


def queue_reminder(admins, address, key):
    user = admins["tim.bkpsdm@kapuaskab.go.id"]
    return Message.objects.create(
        idempotency_key=key, kind="nudge", channel="email", user=user, address=address, subject="s", body_text="b"
    )


def test_an_outbox_failing_for_an_hour_emails_once_and_the_email_goes_when_mail_is_back(admins, smtp, settings):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: every send fails for now
    queue_reminder(admins, "a@kapuaskab.go.id", "test/a")
    outbox.send_waiting(now=NIGHT)
    health = check(NIGHT + dt.timedelta(minutes=30)).health
    assert health.problems == [] and health.outbox.failure_rate == 1.0 and health.outbox.waiting == 1
    queue_reminder(admins, "b@kapuaskab.go.id", "test/b")
    outbox.send_waiting(now=NIGHT + dt.timedelta(minutes=40))
    failing = check(NIGHT + dt.timedelta(minutes=61))
    assert [p.code for p in failing.health.problems] == ["outbox"] and len(failing.queued) == 2
    assert "gagal mengirim" in failing.queued[0].subject
    assert check(NIGHT + dt.timedelta(minutes=71)).queued == []

    settings.EMAIL_PORT = real_port  # the mail server is back
    outbox.send_waiting(now=NIGHT + dt.timedelta(hours=4))
    assert sorted(m["To"] for m in smtp.received if "gagal mengirim" in m["Subject"]) == sorted(admins)
    assert check(NIGHT + dt.timedelta(hours=4, minutes=1)).health.problems == []


def test_one_refused_address_is_not_a_failing_outbox(admins, smtp):
    smtp.refuse.add("salah@kapuaskab.go.id")
    queue_reminder(admins, "salah@kapuaskab.go.id", "test/refused")
    outbox.send_waiting(now=NIGHT)
    health = check(NIGHT + dt.timedelta(hours=2)).health
    assert health.problems == []
    assert health.outbox.waiting == 0


def test_only_bkpsdm_admins_with_an_address_are_alerted(admins):
    add_run("ekinerja", F, NIGHT)
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=1))
    check(NIGHT + dt.timedelta(days=1, hours=1))
    assert [m.address for m in alerts()] == sorted(admins)


def test_check_operations_exits_1_while_something_is_wrong_and_0_when_all_is_well(admins):
    def run():
        out = StringIO()
        try:
            call_command("check_operations", stdout=out)
        except SystemExit as exit:
            return exit.code, out.getvalue()
        return 0, out.getvalue()

    assert run() == (0, "all well\n")
    add_run("ekinerja", F, NIGHT)
    add_run("ekinerja", F, NIGHT + dt.timedelta(days=1))
    code, out = run()
    assert code == 1 and "Sinkronisasi e-Kinerja gagal 2 kali berturut-turut" in out and "2 alerts queued" in out
    assert run()[1].endswith("0 alerts queued\n")  # a second run emails nobody again


def test_beat_runs_the_heartbeat_every_five_minutes_and_the_check_every_ten():
    from django_celery_beat.models import PeriodicTask

    from kapuas_kinerja.celery import app
    from ops import tasks  # noqa: F401  (a worker's autodiscovery imports it)

    beat = {
        t.task: (t.crontab.minute, t.crontab.hour, str(t.crontab.timezone), t.enabled)
        for t in PeriodicTask.objects.filter(task__startswith="ops.").select_related("crontab")
    }
    assert beat == {
        "ops.tasks.record_heartbeat": ("*/5", "*", "Asia/Jakarta", True),
        "ops.tasks.check_operations": ("3-59/10", "*", "Asia/Jakarta", True),
    }
    assert {"ops.tasks.record_heartbeat", "ops.tasks.check_operations"} <= set(app.tasks)
