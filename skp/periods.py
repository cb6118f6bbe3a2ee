"""The period a page shows: asked for in ?periode=, posted by a form, or the one being chased.

Every app's pages read their period here (dashboards, TPP, reports, reminders).
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import rules
from .selectors import period_for, recent_periods


def period_choices(request) -> list:
    """The 12 periods up to the one being chased (one query per request)."""
    if not hasattr(request, "_kinerja_periods"):
        year, month = rules.previous_period(timezone.localdate())
        request._kinerja_periods = recent_periods(year=year, month=month)
    return request._kinerja_periods


def chosen_period(request):
    """The period asked for in ?periode=, else the one being chased; plus an error to show."""
    choices = {p.key: p for p in period_choices(request)}
    chased = period_choices(request)[0]
    text = request.GET.get("periode", "").strip()
    if not text:
        return chased, None
    try:
        key = rules.period_key(*rules.parse_period(text))
    except rules.RuleError:
        error = _("Period “%(period)s” is not valid; write it as YYYY-MM, e.g. 2025-03.") % {"period": text}
        return chased, error
    return choices.get(key) or period_for(*rules.parse_period(key)), None


def posted_period(request):
    """The period a form posted (the one its page showed); the chased one when missing or wrong."""
    try:
        return period_for(*rules.parse_period(request.POST.get("periode", "")))
    except rules.RuleError:
        return period_for(*rules.previous_period(timezone.localdate()))


def period_context(request, period, period_error, now) -> dict:
    return {
        "period": period,
        "period_error": period_error,
        "periods": period_choices(request),
        "deadline_open": now <= period.deadline,
        "days_left": (timezone.localdate(period.deadline) - timezone.localdate(now)).days,
    }
