"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from . import retention, rules
from .bkn.clients import NotConfigured, record_not_configured
from .bkn.sync import sync_master_data, sync_period


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_recent_periods() -> list[str]:
    """The nightly and mid-month sync: the period being chased and the month under way.

    On an import-only installation (no e-Kinerja configured, no simulator asked for)
    it records "not configured" and ends quietly: nothing failed, nobody to alert.
    """
    today = timezone.localdate()
    results = []
    for year, month in (rules.previous_period(today), (today.year, today.month)):
        try:
            run = sync_period(year=year, month=month, triggered_by="celery beat")
        except NotConfigured as error:
            return [record_not_configured(source="ekinerja", error=error, triggered_by="celery beat").status]
        results.append(f"{rules.period_key(year, month)}: {run.status if run else 'skipped (already running)'}")
    return results


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_siasn_weekly() -> str:
    """Weekly: SIASN's master data (the email and phone numbers reminders go to), annual SKP and unit tree."""
    try:
        run = sync_master_data(triggered_by="celery beat")
    except NotConfigured as error:
        return record_not_configured(source="siasn", error=error, triggered_by="celery beat").status
    return run.status if run else "skipped (already running)"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prune_payloads() -> str:
    """Weekly: raw BKN payloads older than PAYLOAD_RETENTION_DAYS are deleted (the records themselves stay)."""
    return f"{retention.prune_payloads()} raw payloads deleted"
