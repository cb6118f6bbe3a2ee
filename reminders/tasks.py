"""Celery tasks: thin wrappers around the services."""

from celery import shared_task

from . import outbox, services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_reminders() -> str:
    """The daily run: prepare the due occasions, then send the outbox."""
    run = services.send_reminders()
    prepared = sum(len(m) for m in run.prepared.values())
    return f"{len(run.occasions)} occasions, {prepared} messages prepared, {run.sent.sent} sent"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_outbox() -> str:
    """Nudges and activation links now, retries when their time comes. Claims make a double run harmless."""
    result = outbox.send_waiting()
    held = sum(result.held.values())
    return (
        f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed, "
        f"{held} held by the quotas, {result.too_late} too late for their deadline"
    )


@shared_task(acks_late=True, reject_on_worker_lost=True)
def request_password_reset(login: str, request_id: str) -> str:
    """A "forgot your password": looked up and queued here, so the page that asked does no mail work."""
    return f"{services.request_password_reset(login=login, request_id=request_id)} queued"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def request_activation(nip: str) -> str:
    """ "No login yet?": looked up and queued here, so the page that asked does no mail work."""
    return "queued" if services.request_activation(nip=nip) else "nothing to send"
