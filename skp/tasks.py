"""Celery tasks: thin wrappers around the services."""

from celery import shared_task
from django.utils import timezone

from . import rules
from .bkn.sync import sync_period


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_recent_periods() -> list[str]:
    """The nightly and mid-month sync: the period being chased and the month under way."""
    today = timezone.localdate()
    results = []
    for year, month in (rules.previous_period(today), (today.year, today.month)):
        run = sync_period(year=year, month=month, triggered_by="celery beat")
        results.append(f"{rules.period_key(year, month)}: {run.status if run else 'skipped (already running)'}")
    return results
