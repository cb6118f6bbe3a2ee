"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from . import rules
from .bkn.sync import sync_master_data, sync_period
from .retention import payloads_prune


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_recent_periods() -> list[str]:
    """The nightly and mid-month sync: the period being chased and the month under way."""
    today = timezone.localdate()
    results = []
    for year, month in (rules.previous_period(today), (today.year, today.month)):
        run = sync_period(year=year, month=month, triggered_by="celery beat")
        results.append(f"{rules.period_key(year, month)}: {run.status if run else 'skipped (already running)'}")
    return results


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_siasn_weekly() -> str:
    """Weekly: SIASN's master data (the email and phone numbers reminders go to), annual SKP and unit tree."""
    run = sync_master_data(triggered_by="celery beat")
    return run.status if run else "skipped (already running)"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def prune_payloads() -> str:
    """Weekly: raw BKN payloads older than PAYLOAD_RETENTION_DAYS are deleted (the records themselves stay)."""
    return f"{payloads_prune()} raw payloads deleted"
