"""Sending what the outbox holds: claim a row (compare-and-set), send it, confirm it.

A task that runs twice, or two workers at once, cannot send a row twice: only
the worker whose UPDATE moved the row from queued to sending sends it. A crash
before the claim loses nothing (the row is still queued). A crash between the
claim and the confirmation leaves the row "sending"; once that is older than
OUTBOX_CLAIM_TIMEOUT_MINUTES it is marked uncertain and waits for BKPSDM
(SMTP cannot tell whether it went out), never resent or dropped silently.

Each channel sends within its quotas (reminders/quotas.py), one worker at a
time (a lock per channel, so two workers never both spend the same quota),
most urgent first; what is over waits for the next run (every minute). A
reminder that cannot go before its deadline is cancelled, not sent late. A
server that says "slow down" (421, or a 4xx to the sender) stops the channel
until the next run, and the message it refused loses no attempt.
"""

import contextlib
import datetime as dt
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from opd.services import opd_data_changed
from skp.expressions import exempt_in, rated_by
from skp.models import MonthlyRecord

from . import quotas
from .channels import DeliveryError, PermanentError, Throttled, channel_for
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
    too_late: int = 0  # cancelled: could not go before their deadline within the quotas
    held: dict[str, int] = field(default_factory=dict)  # per channel: waiting for the next window
    throttled: list[str] = field(default_factory=list)  # channels whose server asked to slow down
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


def drop_too_late(channel: str, now: dt.datetime, pks=()) -> int:
    """Reminders whose deadline has passed, or (pks) that the quotas cannot get out before it: cancelled."""
    rows = Message.objects.filter(channel=channel, status__in=[Status.QUEUED, Status.RETRY])
    rows = rows.filter(Q(send_before__lte=now) | Q(pk__in=list(pks)))
    return rows.update(
        status=Status.CANCELLED,
        last_error="too late: could not go out before the deadline within the sending quotas",
    )


def claim(message: Message, now: dt.datetime) -> bool:
    """Take the row for this worker; False when another worker (or an earlier run) has it, or its deadline passed."""
    claimed = (
        Message.objects.filter(pk=message.pk, status__in=[Status.QUEUED, Status.RETRY], next_attempt_at__lte=now)
        .filter(Q(send_before__isnull=True) | Q(send_before__gt=now))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed:
        message.attempts += 1
        message.status = Status.SENDING
    return bool(claimed)


def confirm_sent(message: Message, now: dt.datetime | None = None) -> None:
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=now or timezone.now(), last_error=""
    )


def _hold_back(message: Message, error: Throttled, now: dt.datetime, result: SendResult) -> None:
    """The server asks to slow down: not the message's fault, so no attempt counts; the channel stops."""
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.RETRY,
        attempts=F("attempts") - 1,
        last_error=f"server asked to slow down (not counted as an attempt): {error}"[:500],
        next_attempt_at=now + dt.timedelta(minutes=BACKOFF_MINUTES),
    )
    result.throttled.append(message.channel)


def _record_failure(message: Message, error: Exception, now: dt.datetime, result: SendResult) -> None:
    text = str(error)[:500] or error.__class__.__name__
    # Anything but a temporary delivery error is final for this message alone:
    # an address no SMTP library accepts fails again however long it waits.
    final = not isinstance(error, DeliveryError) or isinstance(error, PermanentError)
    if final or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
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


def waiting(now: dt.datetime, *, limit: int = BATCH, channel: str | None = None) -> list[Message]:
    """The next messages due, most urgent first."""
    return list(quotas.waiting_rows(channel).filter(next_attempt_at__lte=now)[:limit])


def send_batch(
    messages: list[Message], now: dt.datetime, result: SendResult, clock: Callable[[], dt.datetime] | None = None
) -> tuple[int, bool]:
    """Claim, send and confirm each message: two small queries per message.

    Returns how many were claimed (each spends quota) and whether the server
    asked to slow down (the caller stops that channel). `clock` tells the
    moment of each send (the run's start plus the time since).
    """
    clock = clock or (lambda: now)
    channels = {}
    claimed = 0
    try:
        for message in messages:
            if not claim(message, clock()):
                continue
            claimed += 1
            try:
                channel = channels.get(message.channel)
                if channel is None:
                    channel = channels[message.channel] = channel_for(message.channel)
                    channel.open()
                channel.send(message)
            except Throttled as error:
                _hold_back(message, error, clock(), result)
                return claimed, True
            except Exception as error:  # noqa: BLE001 (one message's failure, whatever it is, is that message's alone)
                if not isinstance(error, DeliveryError):
                    log.exception("outbox: message %s failed", message.pk)
                _record_failure(message, error, clock(), result)
                continue
            confirm_sent(message, clock())
            result.sent += 1
    finally:
        for channel in channels.values():
            channel.close()
    return claimed, False


@contextlib.contextmanager
def channel_lock(channel: str):
    """One sender per channel at a time, so two workers never both spend the same quota.

    PostgreSQL's advisory lock dies with the worker's connection; elsewhere
    (the embedded SQLite mode) the cache holds it, for at most a claim timeout.
    """
    name = f"kinerja:outbox:{channel}"
    if connection.vendor == "postgresql":
        key = zlib.crc32(name.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            held = cursor.fetchone()[0]
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    held = cache.add(name, 1, timeout=settings.OUTBOX_CLAIM_TIMEOUT_MINUTES * 60)
    try:
        yield held
    finally:
        if held:
            cache.delete(name)


def send_channel(channel: str, clock: Callable[[], dt.datetime], result: SendResult) -> None:
    """Send what one channel's quotas allow now, most urgent first; drop reminders that cannot make their deadline."""
    now = clock()
    result.too_late += drop_too_late(channel, now)
    if not waiting(now, limit=1, channel=channel):
        return
    pacer = quotas.Pacer.load(channel, now)
    allowed = pacer.available()
    if allowed is not None:
        due = quotas.waiting_rows(channel).filter(next_attempt_at__lte=now).count()
        if due > allowed:
            # Not all can go now: those that would only go after their deadline are dropped now,
            # so the admin panel's estimates and the dashboards say so at once.
            result.too_late += drop_too_late(channel, now, quotas.plan(channel, now, pacer=pacer).too_late)
            due = quotas.waiting_rows(channel).filter(next_attempt_at__lte=now).count()
            result.held[channel] = max(0, due - allowed)
    left = allowed
    seen_last = None
    while left is None or left > 0:
        batch = waiting(clock(), limit=BATCH if left is None else min(BATCH, left), channel=channel)
        if not batch or batch[-1].pk == seen_last:
            break
        seen_last = batch[-1].pk
        claimed, throttled = send_batch(batch, now, result, clock)
        if left is not None:
            left -= claimed
        if throttled:
            result.held[channel] = quotas.waiting_rows(channel).count()
            break


def send_waiting(*, now: dt.datetime | None = None) -> SendResult:
    """Send what the outbox holds within each channel's quotas, and sort out what cannot go.

    `now` is the moment of sending (the real clock; tests and benches may
    pretend another); send_reminders never passes its --as-of here.
    """
    start, started = now or timezone.now(), time.monotonic()

    def clock() -> dt.datetime:
        return start + dt.timedelta(seconds=time.monotonic() - started)

    result = SendResult(uncertain=mark_uncertain(start), cancelled=cancel_unneeded(start))
    for channel in Message.Channel.values:
        with channel_lock(channel) as mine:
            if mine:  # else another worker is sending this channel right now
                send_channel(channel, clock, result)
    if result.errors:
        log.warning("outbox: %d failed, %d to retry", result.failed, result.retrying)
    if result.held:
        log.info("outbox: held for the next window by the quotas: %s", result.held)
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
