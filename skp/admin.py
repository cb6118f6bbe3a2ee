import json
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kapuas_kinerja.admin import ModelAdmin, ReadOnlyAdmin
from kapuas_kinerja.tabular import too_large
from opd.models import Opd

from . import rules
from .bkn.columns import LABELS
from .bkn.imports import ImportRefused, import_file
from .cycles import cycle_changed
from .models import (
    RATING_FIELDS,
    AnnualSkp,
    Exemption,
    MonthlyRecord,
    Period,
    RecordPayload,
    Source,
    SyncRun,
    TeacherCycle,
)
from .rollup import periods_touching, refresh_for_asn, refresh_rollup
from .selectors import teacher_hand_entries

SYNCED_SOURCES = (Source.EKINERJA, Source.SIASN, Source.IMPORT)
RECORD_BKN_FIELDS = (*RATING_FIELDS, "source", "last_synced_at")


@admin.register(Period)
class PeriodAdmin(ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "deadline_default",
        "deadline_override",
        "override_reason",
        "bkn_batas_pengisian",
    )
    list_filter = ("kind", "year")
    readonly_fields = ("start_date", "end_date", "deadline_default", "bkn_periode_id", "bkn_batas_pengisian")
    fields = (
        "kind",
        "year",
        "month",
        *readonly_fields[:3],
        "deadline_override",
        "override_reason",
        *readonly_fields[3:],
    )

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "kind", "year", "month") if obj else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "kind" in form.base_fields:
            form.base_fields["kind"].required = False  # left out: a month, as before the teachers' cycle
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            built = Period.build(obj.year, obj.month, obj.kind)
            obj.start_date, obj.end_date, obj.deadline_default = (
                built.start_date,
                built.end_date,
                built.deadline_default,
            )
        super().save_model(request, obj, form, change)
        # A new deadline moves ratings between on time and late (a cycle period's: in the months it covers).
        refresh_rollup(periods=[obj])


@admin.register(TeacherCycle)
class TeacherCycleAdmin(ModelAdmin):
    """BKPSDM's setting per year; `teacher_cycle` on the command line sets the same rows."""

    list_display = ("year", "cycle", "note", "updated_at")
    # The help link for school heads: https unless BKPSDM writes otherwise (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj else ()

    def save_model(self, request, obj, form, change):
        before = TeacherCycle.objects.filter(pk=obj.pk).values_list("cycle", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if before != obj.cycle:
            cycle_changed(obj.year)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        cycle_changed(obj.year)

    def delete_queryset(self, request, queryset):
        years = list(queryset.values_list("year", flat=True))
        for obj in queryset:
            obj.delete()  # one by one: the audit trail and the cache hear of each
        for year in years:
            cycle_changed(year)


@admin.register(Exemption)
class ExemptionAdmin(ModelAdmin):
    list_display = ("asn", "kind", "start", "end", "created_by")
    list_filter = ("kind", "asn__opd")
    search_fields = ("=asn__nip", "asn__nama")
    autocomplete_fields = ("asn",)
    list_select_related = ("asn", "created_by")
    date_hierarchy = "start"

    def save_model(self, request, obj, form, change):
        before = Exemption.objects.filter(pk=obj.pk).first() if change else None
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        spans = [(obj.start, obj.end)] + ([(before.start, before.end)] if before else [])
        periods = {p.pk: p for start, end in spans for p in periods_touching(start, end)}
        refresh_for_asn({obj.asn_id, before.asn_id if before else obj.asn_id}, periods=periods.values())

    def delete_model(self, request, obj):
        self.delete_queryset(request, Exemption.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        gone = list(queryset.values_list("asn_id", "start", "end"))
        super().delete_queryset(request, queryset)
        for asn_id, start, end in gone:
            refresh_for_asn({asn_id}, periods=periods_touching(start, end))


class TeacherHandEntryFilter(admin.SimpleListFilter):
    """BKPSDM's list of teachers' monthly ratings in a year on the Ruang GTK cycle (likely typed by hand)."""

    title = _("teacher's monthly rating on a Ruang GTK cycle")
    parameter_name = "isian_guru"

    def lookups(self, request, model_admin):
        return [("ya", _("yes: check whether it was entered by hand"))]

    def queryset(self, request, queryset):
        if self.value() == "ya":
            return queryset.filter(pk__in=teacher_hand_entries().values("pk"))
        return queryset


@admin.register(MonthlyRecord)
class MonthlyRecordAdmin(ModelAdmin):
    list_display = (
        "asn",
        "period",
        "opd",
        "stage",
        "rated_at",
        "predikat_bkn",
        "predikat_computed",
        "source",
        "edited_by_hand",
    )
    list_filter = (
        "period",
        "stage",
        "source",
        "edited_by_hand",
        ("asn__is_guru", admin.BooleanFieldListFilter),
        TeacherHandEntryFilter,
        "opd",
    )
    search_fields = ("=asn__nip", "asn__nama")
    autocomplete_fields = ("asn", "opd", "unit", "atasan")
    list_select_related = ("asn", "period", "opd")
    readonly_fields = ("source", "predikat_computed", "edited_by_hand", "raw_payload", "created_at", "updated_at")
    show_full_result_count = False  # an exact count of every record is slow and not needed

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.source in SYNCED_SOURCES:
            return tuple(dict.fromkeys((*RECORD_BKN_FIELDS, *self.readonly_fields)))
        return self.readonly_fields

    @admin.display(description=_("raw payload from the source"))
    def raw_payload(self, obj):
        payload = RecordPayload.objects.filter(record=obj).values_list("payload", flat=True).first()
        if payload is None:
            return "–"
        return format_html("<pre>{}</pre>", json.dumps(payload, ensure_ascii=False, indent=2))

    def save_model(self, request, obj, form, change):
        # A person touched it: the audit trail has who and what; the flag lets
        # dashboards warn, notably for teachers who are rated through Ruang GTK.
        before = MonthlyRecord.objects.filter(pk=obj.pk).first() if change else None
        obj.edited_by_hand = True
        if not change:
            obj.source = Source.MANUAL
        super().save_model(request, obj, form, change)
        periods = {obj.period_id: obj.period}
        if before:
            periods[before.period_id] = before.period
        refresh_for_asn(
            {obj.asn_id, before.asn_id if before else obj.asn_id},
            periods=periods.values(),
            extra_opd_ids={before.opd_id} if before else (),
        )

    def delete_model(self, request, obj):
        self.delete_queryset(request, MonthlyRecord.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        gone = list(queryset.select_related("period"))
        super().delete_queryset(request, queryset)
        for record in gone:
            refresh_for_asn({record.asn_id}, periods=[record.period], extra_opd_ids={record.opd_id})


@admin.register(AnnualSkp)
class AnnualSkpAdmin(ModelAdmin):
    list_display = ("asn", "year", "plan_status", "plan_approved", "sent_to_siasn", "predikat")
    list_filter = ("year", "plan_approved", "sent_to_siasn", "asn__opd")
    search_fields = ("=asn__nip", "asn__nama")
    autocomplete_fields = ("asn",)
    list_select_related = ("asn",)
    readonly_fields = (
        "plan_status",
        "plan_approved",
        "bkn_skp_id",
        "periode_awal",
        "sent_to_siasn",
        "rating_hasil",
        "rating_perilaku",
        "predikat",
        "source",
        "last_synced_at",
    )


class ImportForm(forms.Form):
    berkas = forms.FileField(
        label=_("Export file"),
        help_text=_("Laporan Penilaian SKP, Laporan SKP or SIASN Export Data ASN (.xlsx or .csv)"),
    )
    periode = forms.CharField(
        label=_("Period (YYYY-MM)"), required=False, help_text=_("Needed only when the file's title names no month.")
    )
    coba = forms.BooleanField(label=_("Try only: show what would change, write nothing"), required=False)

    def clean_berkas(self):
        # Refused before it is copied to a temporary file and opened.
        upload = self.cleaned_data["berkas"]
        if too_large(upload.size):
            raise forms.ValidationError(too_large(upload.size))
        return upload

    def clean_periode(self):
        text = self.cleaned_data["periode"].strip()
        if not text:
            return None
        try:
            # A month, or a teachers' cycle period (2025-Q1, 2025-S1, 2025) as the command takes it.
            return rules.parse_cycle_period(text)
        except rules.RuleError as error:
            raise forms.ValidationError(str(error)) from None


class SourceFilter(admin.SimpleListFilter):
    title = _("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        sources = SyncRun.objects.order_by("source").values_list("source", flat=True).distinct()
        return [(source, SyncRun(source=source).source_label) for source in sources]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


class PeriodKeyFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period_key"

    def lookups(self, request, model_admin):
        keys = SyncRun.objects.order_by("-period_key").values_list("period_key", flat=True).distinct()
        return [(key, Period.label_of(key)) for key in keys]

    def queryset(self, request, queryset):
        return queryset.filter(period_key=self.value()) if self.value() else queryset


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    """What each sync and import did; written by them alone, so read-only here. Imports start here."""

    change_list_template = "admin/skp/syncrun/change_list.html"

    def get_urls(self):
        return [
            path("impor/", self.admin_site.admin_view(self.import_view), name="skp_syncrun_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload an export: the same service as `import_bkn`, all or nothing."""
        if not request.user.has_perm("skp.change_monthlyrecord"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        result = problems = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["berkas"]
            suffix = Path(upload.name).suffix.lower()[:6]
            with tempfile.NamedTemporaryFile(suffix=suffix) as stored:
                for part in upload.chunks():
                    stored.write(part)
                stored.flush()
                try:
                    result = import_file(
                        Path(stored.name),
                        period=form.cleaned_data["periode"],
                        dry_run=form.cleaned_data["coba"],
                        triggered_by=f"admin: {request.user.get_username()}",
                    )
                except ImportRefused as refused:
                    problems = refused.problems
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a BKN export"),
            "form": form,
            "result": result,
            "kind_label": LABELS.get(result.kind) if result else None,
            "period_label": Period.label_of(result.period_key) if result and result.period_key else "",
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/skp/import.html", context, status=400 if problems else 200)

    list_display = (
        "started_at",
        "source_label",
        "period_label",
        "opd_name",
        "status",
        "created",
        "updated",
        "unchanged",
        "failed",
        "triggered_by",
        "finished_at",
    )
    list_filter = ("status", SourceFilter, PeriodKeyFilter)
    search_fields = ("period_key", "opd_kode", "message")
    # The run's source, period and OPD are stored as codes ("ekinerja", "2026-10", "DINKES"): shown in words.
    fields = readonly_fields = (
        "started_at",
        "finished_at",
        "source_label",
        "period_label",
        "opd_name",
        "status",
        "triggered_by",
        "created",
        "updated",
        "unchanged",
        "failed",
        "errors",
        "notes",
        "message",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(opd_nama=Subquery(Opd.objects.filter(kode=OuterRef("opd_kode")).values("nama")[:1]))
        )

    @admin.display(description=_("source"), ordering="source")
    def source_label(self, obj):
        return obj.source_label

    @admin.display(description=_("period"), ordering="period_key")
    def period_label(self, obj):
        return Period.label_of(obj.period_key)

    @admin.display(description=_("OPD"), ordering="opd_kode")
    def opd_name(self, obj):
        return obj.opd_nama or obj.opd_kode or "–"
