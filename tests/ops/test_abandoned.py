"""A sync run killed mid-way is marked abandoned, not left "running" forever."""

import datetime as dt

import pytest
import time_machine

from ops.services import check_operations
from skp import rules
from skp.models import SyncRun
from tests.factories import bkpsdm_staff
from tests.ops.conftest import add_run

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 3, 1, 0, tzinfo=rules.WIB)


def killed_run(source="ekinerja", period="2026-10"):
    # What a worker killed mid-sync leaves: the row the sync writes as it starts, never finished.
    with time_machine.travel(START, tick=False):
        return SyncRun.objects.create(source=source, period_key=period, triggered_by="celery beat")


def check(at):
    with time_machine.travel(at, tick=False):
        return check_operations()


def test_a_run_still_running_after_the_task_time_limit_and_a_margin_is_abandoned(settings, admins):
    settings.CELERY_TASK_TIME_LIMIT = 3600
    run = killed_run()
    assert check(START + dt.timedelta(minutes=69)).abandoned == 0  # it may still be at work
    run.refresh_from_db()
    assert run.status == SyncRun.Status.RUNNING
    assert check(START + dt.timedelta(minutes=71)).abandoned == 1
    run.refresh_from_db()
    assert run.status == SyncRun.Status.ABANDONED
    assert run.finished_at == START + dt.timedelta(minutes=71)
    assert "terhenti di tengah jalan" in run.message and "melengkapi sisanya" in run.message
    assert check(START + dt.timedelta(minutes=90)).abandoned == 0  # marked once


def test_a_finished_run_is_never_marked(admins):
    add_run("ekinerja", SyncRun.Status.SUCCEEDED, START - dt.timedelta(days=1))
    check(START + dt.timedelta(days=2))
    assert SyncRun.objects.get().status == SyncRun.Status.SUCCEEDED


def test_two_abandoned_nights_are_two_failures_in_a_row(admins, settings):
    settings.SYNC_STALE_AFTER_HOURS = 30 * 24
    killed_run()
    check(START + dt.timedelta(hours=3))
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        SyncRun.objects.create(source="ekinerja", period_key="2026-10", triggered_by="celery beat")
    result = check(START + dt.timedelta(days=1, hours=3))
    assert [p.code for p in result.health.problems] == ["sync-failed-ekinerja"] and len(result.queued) == 2


def test_the_admin_panel_shows_an_abandoned_run_as_such(client, admins):
    killed_run()
    check(START + dt.timedelta(hours=3))
    admin = bkpsdm_staff()
    client.force_login(admin)
    page = client.get("/admin/skp/syncrun/").content.decode()
    assert "Ditinggalkan (terhenti di tengah jalan)" in page
    filtered = client.get("/admin/skp/syncrun/?status=abandoned").content.decode()
    assert "Ditinggalkan (terhenti di tengah jalan)" in filtered
