"""Sending what the outbox holds: claim a row (compare-and-set), send it, confirm it.

A task that runs twice, or two workers at once, cannot send a row twice: only
the worker whose UPDATE moved the row from queued to sending sends it. A crash
before the claim loses nothing (the row is still queued). A crash between the
claim and the confirmation leaves the row "sending"; once that is older than
OUTBOX_CLAIM_TIMEOUT_MINUTES it is marked uncertain and waits for BKPSDM
(SMTP cannot tell whether it went out), never resent or dropped silently.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from opd.services import opd_data_changed
from skp.expressions import exempt_in, rated_by
from skp.models import MonthlyRecord

from .channels import DeliveryError, PermanentError, channel_for
from .models import OPTIONAL_KINDS, Message

log = logging.getLogger(__name__)
Status = Message.Status
BATCH = 500
# Temporary failures wait 1, 2, 4, 8… minutes (capped), then give up as failed.
BACKOFF_MINUTES = 1
BACKOFF_CAP_MINUTES = 6 * 60


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)


def mark_uncertain(now: dt.datetime) -> int:
    """Rows claimed long ago and never confirmed: they may or may not have gone out."""
    stale = now - dt.timedelta(minutes=settings.OUTBOX_CLAIM_TIMEOUT_MINUTES)
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=stale).update(
        status=Status.UNCERTAIN, last_error="claimed but never confirmed: the worker stopped while sending"
    )


def cancel_unneeded(now: dt.datetime) -> int:
    """Reminders to ASN who were rated or exempted since they were queued: not sent at all."""
    record = MonthlyRecord.objects.filter(
        rated_by("rated_at", now), asn_id=OuterRef("asn_id"), period_id=OuterRef("period_id")
    )
    exempt = exempt_in(OuterRef("asn_id"), OuterRef("period__start_date"), OuterRef("period__end_date"))
    waiting = Message.objects.filter(
        status__in=[Status.QUEUED, Status.RETRY], kind__in=OPTIONAL_KINDS, period__isnull=False
    )
    pks = list(waiting.filter(Exists(record) | exempt).values_list("pk", flat=True))
    if not pks:
        return 0
    return Message.objects.filter(pk__in=pks, status__in=[Status.QUEUED, Status.RETRY]).update(
        status=Status.CANCELLED, last_error="no longer needed: rated or exempted before it was sent"
    )


def claim(message: Message, now: dt.datetime) -> bool:
    """Take the row for this worker; False when another worker (or an earlier run) has it."""
    claimed = Message.objects.filter(
        pk=message.pk, status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if claimed:
        message.attempts += 1
        message.status = Status.SENDING
    return bool(claimed)


def confirm_sent(message: Message) -> None:
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error=""
    )


def _record_failure(message: Message, error: DeliveryError, now: dt.datetime, result: SendResult) -> None:
    text = str(error)[:500]
    if isinstance(error, PermanentError) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        Message.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error=text)
        if message.asn_id:  # the OPD dashboards count the ASN email cannot reach
            opd_data_changed()
        result.failed += 1
    else:
        wait = min(BACKOFF_MINUTES * 2 ** (message.attempts - 1), BACKOFF_CAP_MINUTES)
        Message.objects.filter(pk=message.pk).update(
            status=Status.RETRY, last_error=text, next_attempt_at=now + dt.timedelta(minutes=wait)
        )
        result.retrying += 1
    result.errors.append(f"{message.address}: {text}")


def waiting(now: dt.datetime, *, limit: int = BATCH) -> list[Message]:
    rows = Message.objects.filter(status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now)
    # Account links first, then helpdesk answers, then the rest, each oldest first.
    return list(rows.order_by("priority", "pk")[:limit])


def send_batch(messages: list[Message], now: dt.datetime, result: SendResult) -> None:
    """Claim, send and confirm each message: two small queries per message."""
    channels = {}
    try:
        for message in messages:
            if not claim(message, now):
                continue
            channel = channels.get(message.channel)
            if channel is None:
                channel = channels[message.channel] = channel_for(message.channel)
                channel.open()
            try:
                channel.send(message)
            except DeliveryError as error:
                _record_failure(message, error, now, result)
                continue
            confirm_sent(message)
            result.sent += 1
    finally:
        for channel in channels.values():
            channel.close()


def send_waiting(*, now: dt.datetime | None = None) -> SendResult:
    """Send everything due in the outbox, batch after batch, and sort out what cannot go."""
    now = now or timezone.now()
    result = SendResult(uncertain=mark_uncertain(now), cancelled=cancel_unneeded(now))
    seen_last = None
    while True:
        batch = waiting(now)
        if not batch or batch[-1].pk == seen_last:
            break
        seen_last = batch[-1].pk
        send_batch(batch, now, result)
    if result.errors:
        log.warning("outbox: %d failed, %d to retry", result.failed, result.retrying)
    return result


def resend(pks) -> int:
    """BKPSDM's decision for uncertain or failed rows: queue them again.

    Saved row by row (they are few) so the audit trail records who decided.
    """
    rows = Message.objects.filter(pk__in=pks, status__in=[Status.UNCERTAIN, Status.FAILED])
    count = 0
    for message in rows:
        message.status = Status.QUEUED
        message.next_attempt_at = timezone.now()
        message.last_error = ""
        message.claimed_at = None
        message.save(update_fields=["status", "next_attempt_at", "last_error", "claimed_at"])
        count += 1
    return count
