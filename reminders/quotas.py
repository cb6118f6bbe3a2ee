"""How many messages a channel may still send, and when the waiting ones will go.

The limits (EMAIL_MAX_PER_MINUTE/HOUR/DAY, WHATSAPP_…) are rolling windows, as
mail providers count them: at any moment, at most N sent in the last minute,
hour and day. What went out is read from the outbox itself (sent_at, and the
claimed time of rows being sent or uncertain), so every worker counts alike
whatever clock a command was asked to pretend (--as-of).
"""

import bisect
import datetime as dt
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from .models import Message

WINDOWS = (("MINUTE", dt.timedelta(minutes=1)), ("HOUR", dt.timedelta(hours=1)), ("DAY", dt.timedelta(days=1)))
Status = Message.Status


def limits(channel: str) -> dict[dt.timedelta, int]:
    """The channel's limits by window length; a window set to 0 has none."""
    found = {}
    for name, span in WINDOWS:
        limit = getattr(settings, f"{channel.upper()}_MAX_PER_{name}")
        if limit:
            found[span] = limit
    return found


def sent_times(channel: str, since: dt.datetime) -> list[dt.datetime]:
    """When each message that may have reached the server since then went: sent, or claimed and never confirmed."""
    rows = Message.objects.filter(channel=channel).filter(
        Q(sent_at__gt=since) | Q(status__in=[Status.SENDING, Status.UNCERTAIN], claimed_at__gt=since)
    )
    return sorted(sent or claimed for sent, claimed in rows.values_list("sent_at", "claimed_at"))


class Pacer:
    """The earliest moments the next messages may go, one after another, within every window."""

    def __init__(self, windows: dict[dt.timedelta, int], recent: list[dt.datetime], now: dt.datetime):
        self.now = now
        self.windows = [(span, limit, deque(t for t in recent if t > now - span)) for span, limit in windows.items()]

    @classmethod
    def load(cls, channel: str, now: dt.datetime) -> "Pacer":
        windows = limits(channel)
        recent = sent_times(channel, now - max(windows)) if windows else []
        return cls(windows, recent, now)

    @property
    def unlimited(self) -> bool:
        return not self.windows

    def available(self) -> int | None:
        """How many may go at once now (None: no limit)."""
        if self.unlimited:
            return None
        return max(0, min(limit - sum(1 for t in times if t > self.now - span) for span, limit, times in self.windows))

    def next_slot(self) -> dt.datetime:
        """The first moment one more message fits every window (asking does not take it)."""
        at = self.now
        while True:
            later = at
            for span, limit, times in self.windows:
                inside = len(times) - bisect.bisect_right(times, at - span)
                if inside >= limit:
                    # The window has room again once the oldest of the last `limit` leaves it.
                    later = max(later, times[len(times) - limit] + span)
            if later == at:
                return at
            at = later

    def take(self, at: dt.datetime) -> None:
        """Count one message sent at `at` (never earlier than the last one taken)."""
        self.now = max(self.now, at)
        for span, _limit, times in self.windows:
            times.append(at)
            while times and times[0] <= self.now - span:  # out of every window from now on
                times.popleft()


@dataclass
class Plan:
    """When each waiting message of a channel should go, and which cannot go before its deadline."""

    channel: str
    eta: dict[int, dt.datetime] = field(default_factory=dict)
    too_late: list[int] = field(default_factory=list)

    @property
    def last(self) -> dt.datetime | None:
        return max(self.eta.values(), default=None)


def plan(channel: str, now: dt.datetime, *, pacer: Pacer | None = None) -> Plan:
    """Walk the channel's waiting messages in the order the outbox sends them and give each its moment.

    A message meant for before a deadline whose moment falls after it takes no
    room: it is listed as too late (the outbox cancels it) and the next one
    gets its place.
    """
    pacer = pacer or Pacer.load(channel, now)
    result = Plan(channel)
    rows = waiting_rows(channel).values_list("pk", "send_before", "next_attempt_at")
    for pk, send_before, next_attempt in rows.iterator(chunk_size=2000):
        at = pacer.next_slot()
        if send_before is not None and max(at, next_attempt) >= send_before:
            result.too_late.append(pk)
            continue
        pacer.take(at)
        result.eta[pk] = max(at, next_attempt)
    return result


def waiting_rows(channel: str | None = None):
    """What waits to be sent, in the order it goes: priority, then first queued first."""
    rows = Message.objects.filter(status__in=[Status.QUEUED, Status.RETRY])
    if channel:
        rows = rows.filter(channel=channel)
    return rows.order_by("priority", "pk")
