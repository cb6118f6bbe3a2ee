"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task
def record_heartbeat() -> str:
    """Every five minutes: beat's tick, recorded by a worker."""
    return f"beat {services.record_heartbeat().at.isoformat()}"


@shared_task
def check_operations() -> str:
    """Every ten minutes: abandoned runs marked, and BKPSDM's admins emailed once per trouble."""
    result = services.check_operations()
    problems = ", ".join(p.code for p in result.health.problems) or "none"
    return f"problems: {problems}; {len(result.queued)} alerts queued; {result.abandoned} runs abandoned"
