"""The admin pages of the libraries the portal runs on, in Indonesian: Django's groups (whose permission
names Django stores in English: "Can add log entry"), django-celery-beat's schedules (its crontabs are
described by cron-descriptor, which speaks no Indonesian, and shown as "0 1 * * * (m/h/dM/MY/d)") and
django-axes' login records (which name themselves "Access Log for root @ 2026-11-30 09:01:10.444514+00:00";
their change pages say it in words), every one saying "nothing chosen" in words (admin.NothingChosenInWords).
Only through the admin's own hooks: no library is changed at runtime (issue 16).

Their other words (field labels, help texts, actions) are entries of our catalogue: see django_words.py.
Installed from identity's AppConfig.ready(), after every admin module has registered its own.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.models import Group, Permission
from django.utils import formats, timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin import NothingChosenInWords

# Permissions Django makes for every model, by their codename's first word.
DEFAULT_PERMISSIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_words(permission: Permission) -> str:
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None:
        return permission.name
    if action in DEFAULT_PERMISSIONS and permission.codename == f"{action}_{model._meta.model_name}":
        name = DEFAULT_PERMISSIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{capfirst(model._meta.app_config.verbose_name)} | {capfirst(model._meta.verbose_name)} | {name}"


class GroupAdmin(NothingChosenInWords, DjangoGroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_words
        return field


# --- django-celery-beat ------------------------------------------------------------------------------


def _cron_names(text: str, names) -> str:
    """ "1-5" → "Senin–Jumat", "0,6" → "Minggu, Sabtu"; anything else as written."""

    def one(item: str) -> str:
        return str(names(int(item))) if item.isdigit() else item

    parts = []
    for item in text.split(","):
        first, dash, last = item.partition("-")
        parts.append(f"{one(first)}–{one(last)}" if dash else one(item))
    return ", ".join(parts)


def crontab_words(crontab) -> str:
    """A crontab as people read it: "Pukul 01.00 WIB", "Setiap jam pada menit 0, tanggal 10–16"."""
    minute, hour = crontab.minute, crontab.hour
    zone = "WIB" if str(crontab.timezone) == "Asia/Jakarta" else str(crontab.timezone)
    if minute.isdigit() and hour.isdigit():
        when = gettext("at %(time)s") % {"time": f"{int(hour):02d}.{int(minute):02d} {zone}"}
    elif hour == "*" and minute.isdigit():
        when = gettext("every hour at minute %(minute)s") % {"minute": minute}
    elif hour == "*" and minute == "*":
        when = gettext("every minute")
    elif hour == "*" and minute.startswith("*/"):
        when = gettext("every %(n)s minutes") % {"n": minute[2:]}
    else:
        when = gettext("minute %(minute)s, hour %(hour)s (%(zone)s)") % {"minute": minute, "hour": hour, "zone": zone}
    parts = [capfirst(when)]
    if crontab.day_of_month != "*":
        parts.append(gettext("on day %(days)s of the month") % {"days": _cron_names(crontab.day_of_month, str)})
    if crontab.month_of_year != "*":
        parts.append(gettext("in %(months)s") % {"months": _cron_names(crontab.month_of_year, MONTHS.get)})
    if crontab.day_of_week != "*":
        # cron counts Sunday as 0 (and 7), Django's WEEKDAYS Monday as 0.
        days = _cron_names(crontab.day_of_week.lower(), lambda n: WEEKDAYS[(n - 1) % 7])
        parts.append(gettext("on %(days)s") % {"days": days})
    elif crontab.day_of_month == "*" and crontab.month_of_year == "*":
        parts.append(gettext("every day"))
    return ", ".join(parts)


def schedule_words(task) -> str:
    if task.crontab_id:
        return crontab_words(task.crontab)
    if task.clocked_id:
        return formats.date_format(timezone.localtime(task.clocked.clocked_time), "DATETIME_FORMAT")
    schedule = task.interval or task.solar
    return str(schedule) if schedule else "–"


# --- django-axes ---------------------------------------------------------------------------------------


def login_time_words(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


def access_attempt_words(attempt) -> str:
    return gettext("Failed logins of %(user)s") % {"user": attempt.username}


def access_log_words(login) -> str:
    return gettext("Login of %(user)s, %(when)s") % {
        "user": login.username,
        "when": login_time_words(login.attempt_time),
    }


def access_failure_words(failure) -> str:
    return gettext("Failed login of %(user)s, %(when)s") % {
        "user": failure.username,
        "when": login_time_words(failure.attempt_time),
    }


class RowInWords(NothingChosenInWords):
    """For the admin of a library's model whose rows name themselves in English with an ISO time: the change
    page (its title and subtitle) and its history say the row's name in words, `row_words(row)`, and so do
    their breadcrumbs (templates/admin/axes/). The delete confirmation still names the row by its __str__:
    only a superuser may open axes' pages (opd.backends.RoleBackend leaves them out for BKPSDM)."""

    row_words = None  # staticmethod: row → its name in words

    def _words(self, request, object_id) -> str | None:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        return self.row_words(obj) if obj is not None else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        words = self._words(request, object_id)
        if words:
            extra_context = {**(extra_context or {}), "subtitle": words, "row_words": words}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        words = self._words(request, object_id)
        if words:
            title = gettext("Change history: %s") % words
            extra_context = {**(extra_context or {}), "title": title, "row_words": words}
        return super().history_view(request, object_id, extra_context)


def install(site=admin.site):
    """Put these admins in place of the libraries' own (their apps register first)."""
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat import admin as beat_admin
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    # Beat names its task field "Task Name" outside gettext.
    class TaskNameFilter(admin.AllValuesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = _("task name")

    class TaskInline(NothingChosenInWords, beat_admin.PeriodicTaskInline):
        fields = readonly_fields = ("name", "task_name", "args", "kwargs")

        @admin.display(description=_("task name"))
        def task_name(self, obj):
            return obj.task

    class PeriodicTaskAdmin(NothingChosenInWords, beat_admin.PeriodicTaskAdmin):
        list_display = ("name", "enabled", "schedule", "start_time", "last_run_at", "one_off")
        list_filter = ["enabled", "one_off", ("task", TaskNameFilter), "start_time", "last_run_at"]

        def get_form(self, request, obj=None, **kwargs):
            form = super().get_form(request, obj, **kwargs)
            form.base_fields["task"].label = capfirst(_("task name"))
            return form

        @admin.display(description=_("Schedule"))
        def schedule(self, obj):
            return schedule_words(obj)

        @admin.display(description=_("Schedule in words"))
        def crontab_translation(self, obj):
            return crontab_words(obj.crontab) if obj.crontab_id else "–"

        def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
            # Beat's own puts cron-descriptor's English beside the crontab picker (a script swaps it).
            readable = {c.pk: crontab_words(c) for c in CrontabSchedule.objects.all()}
            return admin.ModelAdmin.changeform_view(
                self, request, object_id, form_url, {**(extra_context or {}), "readable_crontabs": readable}
            )

    class CrontabScheduleAdmin(NothingChosenInWords, beat_admin.CrontabScheduleAdmin):
        inlines = [TaskInline]
        list_display = ("words", "timezone")
        fields = ("words", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
        readonly_fields = ("words",)

        @admin.display(description=_("Schedule in words"))
        def words(self, obj):
            return crontab_words(obj) if obj.pk else "–"

    class IntervalScheduleAdmin(NothingChosenInWords, beat_admin.IntervalScheduleAdmin):
        inlines = [TaskInline]

    class SolarScheduleAdmin(NothingChosenInWords, beat_admin.SolarScheduleAdmin):
        inlines = [TaskInline]

    class ClockedScheduleAdmin(NothingChosenInWords, beat_admin.ClockedScheduleAdmin):
        inlines = [TaskInline]

    _put_in_place(
        site,
        (Group, GroupAdmin),
        (PeriodicTask, PeriodicTaskAdmin),
        (CrontabSchedule, CrontabScheduleAdmin),
        (IntervalSchedule, IntervalScheduleAdmin),
        (SolarSchedule, SolarScheduleAdmin),
        (ClockedSchedule, ClockedScheduleAdmin),
    )

    class AccessAttemptAdmin(RowInWords, axes_admin.AccessAttemptAdmin):
        row_words = staticmethod(access_attempt_words)

    class AccessLogAdmin(RowInWords, axes_admin.AccessLogAdmin):
        row_words = staticmethod(access_log_words)

    class AccessFailureLogAdmin(RowInWords, axes_admin.AccessFailureLogAdmin):
        row_words = staticmethod(access_failure_words)

    # axes registers its admins only when AXES_ENABLE_ADMIN is on: ours likewise.
    _put_in_place(
        site,
        (AccessAttempt, AccessAttemptAdmin),
        (AccessLog, AccessLogAdmin),
        (AccessFailureLog, AccessFailureLogAdmin),
        only_where_registered=True,
    )


def _put_in_place(site, *pairs, only_where_registered: bool = False) -> None:
    """Our admin for each model, in place of the library's own."""
    for model, model_admin in pairs:
        if site.is_registered(model):
            site.unregister(model)
        elif only_where_registered:
            continue
        site.register(model, model_admin)
