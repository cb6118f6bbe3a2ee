"""The Celery side of the sync: the task, its schedule, its settings, and one sync per scope at a time."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django_celery_beat.models import PeriodicTask

from kapuas_kinerja.celery import app
from skp.bkn.sync import sync_period
from skp.models import SyncRun
from skp.tasks import sync_recent_periods

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_is_nightly_and_hourly_from_the_10th_to_the_16th():
    schedule = {
        t.name: (t.task, t.crontab.minute, t.crontab.hour, t.crontab.day_of_month, str(t.crontab.timezone), t.enabled)
        for t in PeriodicTask.objects.filter(task="skp.tasks.sync_recent_periods").select_related("crontab")
    }
    assert schedule == {
        "Sinkronisasi e-Kinerja setiap malam": ("skp.tasks.sync_recent_periods", "0", "1", "*", "Asia/Jakarta", True),
        "Sinkronisasi e-Kinerja setiap jam, tanggal 10-16": (
            "skp.tasks.sync_recent_periods",
            "30",
            "*",
            "10-16",
            "Asia/Jakarta",
            True,
        ),
    }
    assert "skp.tasks.sync_recent_periods" in app.tasks
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_tasks_are_late_acked_time_limited_and_outlived_by_the_broker_visibility():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_the_task_syncs_the_chased_period_and_the_month_under_way(settings):
    settings.BKN_SIMULATOR, settings.BKN_SIMULATOR_ASN = True, 80
    results = sync_recent_periods.apply().get()  # runs here, with or without a broker
    assert [r.split(":")[1].strip() for r in results] == ["succeeded", "succeeded"]
    assert SyncRun.objects.filter(status="succeeded").count() == 2


def test_no_two_syncs_of_the_same_scope_at_once(settings):
    settings.BKN_SIMULATOR, settings.BKN_SIMULATOR_ASN = True, 80
    key = "kinerja:sync:ekinerja:2025-03:*"
    cache.add(key, "another worker", timeout=60)
    try:
        assert sync_period(year=2025, month=3, triggered_by="test") is None
        assert not SyncRun.objects.exists()
    finally:
        cache.delete(key)


def test_siasn_is_synced_weekly_and_old_payloads_pruned_weekly():
    from skp import tasks  # noqa: F401  (a worker's autodiscovery imports it)

    beat = {
        t.task: (t.crontab.minute, t.crontab.hour, t.crontab.day_of_week, str(t.crontab.timezone))
        for t in PeriodicTask.objects.filter(task__in=["skp.tasks.sync_siasn_weekly", "skp.tasks.prune_payloads"])
    }
    assert beat == {
        "skp.tasks.sync_siasn_weekly": ("0", "2", "6", "Asia/Jakarta"),
        "skp.tasks.prune_payloads": ("0", "3", "0", "Asia/Jakarta"),
    }
    assert {"skp.tasks.sync_siasn_weekly", "skp.tasks.prune_payloads"} <= set(app.tasks)


def test_the_weekly_siasn_task_runs_the_siasn_sync_and_records_it(settings):
    from skp.tasks import sync_siasn_weekly

    settings.BKN_SIMULATOR = True
    reported = sync_siasn_weekly()
    run = SyncRun.objects.get()
    assert (run.source, run.triggered_by, run.status) == ("siasn", "celery beat", reported)
    assert run.finished_at is not None


def test_an_import_only_installation_records_not_configured_and_alerts_nobody(settings, mailoutbox):
    from reminders.models import Message
    from skp.tasks import sync_siasn_weekly

    settings.BKN_SIMULATOR = False
    assert sync_recent_periods.apply().get() == ["not_configured"]  # no exception: nothing for a worker to report
    assert sync_siasn_weekly() == "not_configured"
    runs = {r.source: r for r in SyncRun.objects.all()}
    assert set(runs) == {"ekinerja", "siasn"}
    assert all(r.status == SyncRun.Status.NOT_CONFIGURED and r.finished_at for r in runs.values())
    assert "EKINERJA_BASE_URL" in runs["ekinerja"].message and "SIASN_API_URL" in runs["siasn"].message
    assert str(runs["ekinerja"].get_status_display()) == "Belum dikonfigurasi"
    assert not mailoutbox and not Message.objects.exists()


def test_each_scheduled_run_renews_the_one_not_configured_row_instead_of_adding_one(settings):
    settings.BKN_SIMULATOR = False
    sync_recent_periods.apply().get()
    first = SyncRun.objects.get()
    sync_recent_periods.apply().get()
    again = SyncRun.objects.get()
    assert again.pk == first.pk and again.finished_at >= first.finished_at
