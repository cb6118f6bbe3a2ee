"""The teachers' reporting cycle (DESIGN.md "Teachers report through Ruang GTK"): BKPSDM's one door to set it.

The admin panel and `teacher_cycle` both come here, so a change is audited
(django-auditlog records the TeacherCycle row) and the year's rollup is
recounted at once: every teacher's month of that year changes the record and
deadline that rule it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from . import rules
from .models import Period, TeacherCycle
from .rollup import refresh_rollup


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise rules.RuleError(_("Year %(year)r is not a year.") % {"year": year}) from None
    if not 2000 <= year <= 2100:
        raise rules.RuleError(_("Year %(year)r is not a real year.") % {"year": year})
    return year


def check_cycle(cycle) -> str:
    if cycle not in rules.CYCLES:
        raise rules.RuleError(
            _("Cycle %(cycle)r is not one of %(cycles)s.") % {"cycle": cycle, "cycles": ", ".join(rules.CYCLES)}
        )
    return cycle


@transaction.atomic
def set_teacher_cycle(*, year, cycle, note: str = "") -> TeacherCycle:
    """Set the year's cycle (a RuleError for a bad year or cycle, nothing changed) and recount its months."""
    year, cycle = check_year(year), check_cycle(cycle)
    setting = TeacherCycle.objects.filter(year=year).first() or TeacherCycle(year=year)
    changed = setting.pk is None or setting.cycle != cycle
    setting.cycle = cycle
    if note:
        setting.note = note
    setting.save()  # a save, not an update: the audit trail and the cache hear of it
    if changed:
        cycle_changed(year)
    return setting


def cycle_changed(year: int) -> None:
    """Recount the rollup of the year's months: their teachers now follow another record and deadline."""
    refresh_rollup(periods=Period.objects.filter(year=year))
