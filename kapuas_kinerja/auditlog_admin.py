"""The audit trail in the admin panel, in Indonesian: django-auditlog writes a few words in English
outside gettext ("system", "1 change: nama", "Correlation ID"), shows its time as ISO text, and names
fields without a verbose name (created_at, reverse relations) in English."""

import datetime as dt
import re

from auditlog.admin import LogEntryAdmin as AuditlogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.forms.utils import pretty_name
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin import NothingChosenInWords

# Field names several models share without a verbose name of their own.
FIELD_WORDS = {
    "id": _("ID"),
    "created_at": _("created at"),
    "updated_at": _("updated at"),
    "created_by": _("created by"),
    "data_version": _("data version"),
    "ticket": _("ticket"),
    "author": _("author"),
}


def _field(entry, name: str):
    model = entry.content_type.model_class()
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def shown_changes(entry) -> dict:
    """The changes worth showing: auditlog also lists reverse relations, as "opd.Unit.None" on both sides."""
    changes = {}
    for name, change in entry.changes_dict.items():
        field = _field(entry, name)
        if field is not None and not field.concrete and field.related_model is not None:
            continue
        changes[name] = change
    return changes


def value_text(value) -> str:
    """A recorded value as people read it: dates as the regency writes them, "–" for nothing."""
    if value in (None, "None", ""):
        return "–"
    text = str(value)
    try:
        moment = parse_datetime(text)
        day = None if moment else parse_date(text)
    except ValueError:
        moment = day = None
    if moment is not None:
        return date_format(localtime(moment) if is_aware(moment) else moment, "DATETIME_FORMAT")
    if day is not None:
        return date_format(day, "DATE_FORMAT")
    return text


ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def repr_text(entry) -> str:
    """The row's name as recorded, dates in words: older entries recorded "2026-12-25 Hari Natal" and "2026-10"."""
    from skp.models import Period

    def day(match) -> str:
        try:
            return date_format(dt.date(*map(int, match.groups())), "DATE_FORMAT")
        except ValueError:
            return match.group()

    text = ISO_DAY.sub(day, entry.object_repr)
    if entry.content_type.model_class() is Period:
        text = Period.label_of(text)
    return text


def field_label(entry, name: str) -> str:
    """A field's name as people read it: its verbose name, or our word for it."""
    if name in FIELD_WORDS:
        return pretty_name(str(FIELD_WORDS[name]))
    return pretty_name(str(getattr(_field(entry, name), "verbose_name", name)))


class ModelFilter(ResourceTypeFilter):
    """auditlog lists the kinds of row by their code names ("monthlyrecord"); people read the model's name."""

    def lookups(self, request, model_admin):
        kinds = ContentType.objects.filter(
            pk__in=model_admin.get_queryset(request).values("content_type_id").distinct()
        )
        named = [
            (kind.pk, capfirst(kind.model_class()._meta.verbose_name) if kind.model_class() else kind.model)
            for kind in kinds
        ]
        return sorted(named, key=lambda pair: str(pair[1]))


class LogEntryAdmin(NothingChosenInWords, AuditlogEntryAdmin):
    list_filter = ["action", ModelFilter, CIDFilter]

    @admin.display(description=_("Resource"))
    def resource_url(self, obj):
        kind = obj.content_type
        try:
            link = reverse(f"admin:{kind.app_label}_{kind.model}_change", args=[obj.object_id or obj.object_pk])
        except NoReverseMatch:
            return repr_text(obj)
        return format_html('<a href="{}">{} - {}</a>', link, obj.content_type, repr_text(obj))

    @admin.display(description=_("Created"), ordering="timestamp")
    def created(self, obj):
        moment = localtime(obj.timestamp) if is_aware(obj.timestamp) else obj.timestamp
        return date_format(moment, "DATETIME_FORMAT")

    @admin.display(description=_("User"))
    def user_url(self, obj):
        return super().user_url(obj) if obj.actor else _("system")

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        if not super().msg_short(obj):
            return ""
        changes = shown_changes(obj)
        return ngettext("%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)) % {
            "count": len(changes),
            "fields": ", ".join(field_label(obj, name) for name in changes)[:140],
        }

    @admin.display(description=_("Changes"))
    def msg(self, obj):
        changes = shown_changes(obj)
        if not changes or any(isinstance(c, dict) for c in changes.values()):
            return super().msg(obj)  # many-to-many changes: auditlog's own table
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (i, field_label(obj, name), *(["***", "***"] if name == "password" else map(value_text, change)))
                for i, (name, change) in enumerate(sorted(changes.items()), 1)
            ),
        )
        header = "<tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr>"
        return format_html(f"<table>{header}{{}}</table>", _("Field"), _("From"), _("To"), rows)

    @admin.display(description=_("Correlation ID"))
    def cid_url(self, obj):
        return super().cid_url(obj)


def install(site=admin.site):
    """Put this admin in place of django-auditlog's own (its app registers first)."""
    from auditlog.models import LogEntry

    if site.is_registered(LogEntry):
        site.unregister(LogEntry)
    site.register(LogEntry, LogEntryAdmin)
