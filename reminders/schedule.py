"""When each scheduled message is due: plain functions of the schedule, the deadlines and a moment.

An occasion is one kind of message for one period on one day. It is due from
that day (00:00 WIB; for "days after the deadline", from that exact moment)
until the next occasion of the same kind for the same period, or until the end
of its cycle: the deadline for reminders before it, the next period's deadline
for everything after, and never more than a week after its day. So a missed
run catches up on the next one, and a run that was missed for long sends the
latest occasion only, not a pile of stale ones.
"""

import datetime as dt
from dataclasses import dataclass

from skp import rules

from .models import BEFORE_DEADLINE_KINDS, ReminderRule

Timing = ReminderRule.Timing
# A run that was missed catches up for a week at most: older news is no longer worth a message.
CATCH_UP = dt.timedelta(days=7)


@dataclass(frozen=True)
class Occasion:
    period_key: str
    kind: str
    day: dt.date
    due_at: dt.datetime
    until: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.period_key}/{self.kind}/{self.day.isoformat()}"

    def is_due(self, as_of: dt.datetime) -> bool:
        return self.due_at <= as_of < self.until


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=rules.WIB)


def occasions_of(
    *, year: int, month: int, deadline: dt.datetime, next_deadline: dt.datetime, rules_: list[ReminderRule]
) -> list[Occasion]:
    """Every occasion of one period's cycle, each kind's in date order."""
    chase_year, chase_month = (year + 1, 1) if month == 12 else (year, month + 1)
    deadline_day = deadline.astimezone(rules.WIB).date()
    moments: dict[str, dict[dt.date, dt.datetime]] = {}
    for rule in rules_:
        if not rule.is_active:
            continue
        found = moments.setdefault(rule.kind, {})
        if rule.timing == Timing.DAY_OF_MONTH:
            day = dt.date(chase_year, chase_month, rule.day)
            found.setdefault(day, _start_of(day))
        elif rule.timing == Timing.AFTER_DEADLINE:
            due = deadline + dt.timedelta(days=rule.day)
            found.setdefault(due.astimezone(rules.WIB).date(), due)
        elif rule.timing == Timing.WEEKLY:
            day = deadline_day + dt.timedelta(days=1)
            last = next_deadline.astimezone(rules.WIB).date()
            while day <= last:
                if day.weekday() == rule.day:
                    found.setdefault(day, _start_of(day))
                day += dt.timedelta(days=1)
    key = rules.period_key(year, month)
    occasions = []
    for kind, by_day in moments.items():
        # The deadline itself still counts as before it (status rules: as_of <= deadline is pending).
        end = (deadline if kind in BEFORE_DEADLINE_KINDS else next_deadline) + dt.timedelta(seconds=1)
        days = sorted(by_day)
        for i, day in enumerate(days):
            until = by_day[days[i + 1]] if i + 1 < len(days) else end
            occasions.append(Occasion(key, kind, day, by_day[day], min(until, end, by_day[day] + CATCH_UP)))
    return sorted(occasions, key=lambda o: (o.due_at, o.kind))


def due_occasions(*, as_of: dt.datetime, deadlines: dict[tuple[int, int], dt.datetime], rules_) -> list[Occasion]:
    """The occasions due at `as_of`, of the period being chased and the one before it.

    `deadlines` maps (year, month) to that period's deadline (override included)
    for the three periods up to the chased one's successor; missing ones use the circular's.
    """
    as_of = rules.aware(as_of)
    today = as_of.astimezone(rules.WIB).date()
    chased = rules.previous_period(today)
    due = []
    for year, month in reversed(rules.months_back(*chased, 2)):
        nxt = (year + 1, 1) if month == 12 else (year, month + 1)
        deadline = deadlines.get((year, month)) or rules.default_deadline(year, month)
        next_deadline = deadlines.get(nxt) or rules.default_deadline(*nxt)
        for occasion in occasions_of(
            year=year, month=month, deadline=deadline, next_deadline=next_deadline, rules_=rules_
        ):
            if occasion.is_due(as_of):
                due.append(occasion)
    return due
