"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_report(job_id: int) -> str:
    job = services.build_report(job_id)
    return f"job {job_id}: {job.status if job else 'already taken'}"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_waiting_reports() -> str:
    """Every few minutes: documents whose task never arrived are built anyway."""
    return f"{services.build_waiting_reports()} built"
