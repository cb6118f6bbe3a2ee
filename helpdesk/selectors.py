"""Reads: which tickets a user may see, the BKPSDM queue, and ages in working days."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from opd.access import Scope
from opd.models import User

from .models import Holiday, Ticket

SLOW_AFTER_WORKING_DAYS = 3


def visible_tickets(scope: Scope, user) -> QuerySet:
    """The portal's visibility rule for tickets: BKPSDM all; heads and operators their OPD's; everyone their own."""
    tickets = Ticket.objects.select_related("reporter", "asn", "opd", "assignee", "period")
    if scope.is_bkpsdm:
        return tickets
    mine = Q(reporter=user)
    if scope.role in User.OPD_ROLES and scope.opd_ids:
        return tickets.filter(mine | Q(opd_id__in=scope.opd_ids))
    return tickets.filter(mine)


def get_ticket_or_404(scope: Scope, user, pk) -> Ticket:
    ticket = visible_tickets(scope, user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket


def holidays_between(start: dt.date, end: dt.date) -> set[dt.date]:
    return set(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))


def working_days_between(start: dt.date, end: dt.date, holidays: set[dt.date]) -> int:
    """Working days after `start` up to and including `end`: weekends and BKPSDM's holidays skipped."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days += 1
    return days


def with_ages(tickets: list[Ticket], today: dt.date | None = None) -> list[Ticket]:
    """Set `age` (working days open) on each ticket, with one query for the holidays."""
    today = today or timezone.localdate()
    if not tickets:
        return tickets
    oldest = min(timezone.localtime(t.created_at).date() for t in tickets)
    holidays = holidays_between(oldest, today)
    for ticket in tickets:
        end = timezone.localtime(ticket.closed_at).date() if ticket.closed_at else today
        ticket.age = working_days_between(timezone.localtime(ticket.created_at).date(), end, holidays)
        ticket.slow = ticket.is_open and ticket.age > SLOW_AFTER_WORKING_DAYS
    return tickets


def open_count(opd_id: int) -> int:
    return Ticket.objects.filter(opd_id=opd_id, status__in=Ticket.OPEN).count()
