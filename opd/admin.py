from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from kapuas_kinerja.admin import ModelAdmin, NothingChosenInWords, ReadOnlyAdmin
from kapuas_kinerja.tabular import FileRefused, decode_utf8, too_large

from .models import AccessLog, Asn, Opd, Unit, User
from .services import RolesRefused, grant_roles_from_csv, invite_users
from .signals import asn_edited_by_hand, asns_deleting_by_hand

# Fields SIASN/e-Kinerja own once an ASN has been synced: edit them at BKN.
ASN_BKN_FIELDS = ("nip", "nama", "kind", "jabatan", "jenis_jabatan", "siasn_pns_id", "last_synced_at")


@admin.register(Opd)
class OpdAdmin(ModelAdmin):
    list_display = ("kode", "nama", "kind", "head", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("kode", "nama")
    autocomplete_fields = ("head",)
    list_select_related = ("head",)


@admin.register(Unit)
class UnitAdmin(ModelAdmin):
    list_display = ("nama", "opd", "parent", "head")
    list_filter = ("opd",)
    search_fields = ("nama", "opd__kode", "opd__nama")
    autocomplete_fields = ("opd", "parent", "head")
    list_select_related = ("opd", "parent", "head")


class EmailRefusedFilter(admin.SimpleListFilter):
    """ASN whose email in SIASN is not one valid address: BKPSDM has it fixed in SIASN."""

    title = _("email from SIASN")
    parameter_name = "email_siasn"

    def lookups(self, request, model_admin):
        return [("refused", _("refused (not a valid address)")), ("none", _("no email"))]

    def queryset(self, request, queryset):
        if self.value() == "refused":
            return queryset.exclude(email_rejected="")
        if self.value() == "none":
            return queryset.filter(email="")
        return queryset


@admin.register(Asn)
class AsnAdmin(ModelAdmin):
    list_display = ("nip", "nama", "opd", "unit", "kind", "jabatan", "guru", "is_active")
    # BKPSDM finds appraisers created from BKN rows (known only as appraisers) and overrides here,
    # and the addresses SIASN holds that reminders cannot use.
    list_filter = (
        "kind",
        ("is_guru", admin.BooleanFieldListFilter),
        "jenis_jabatan",
        "is_active",
        "known_only_as_appraiser",
        "atasan_source",
        EmailRefusedFilter,
        "opd",
    )
    search_fields = ("=nip", "nip", "nama")
    autocomplete_fields = ("opd", "unit", "atasan")
    list_select_related = ("opd", "unit")
    readonly_fields = (
        "guru",
        "atasan_source",
        "atasan_as_of",
        "email_rejected",
        "last_synced_at",
        "created_at",
        "updated_at",
    )

    # A generated field: the admin would write its value as "True"/"False"; shown as the yes/no icon instead.
    @admin.display(description=_("teacher"), boolean=True, ordering="is_guru")
    def guru(self, obj):
        return obj.is_guru

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.last_synced_at:
            return tuple(dict.fromkeys((*self.readonly_fields, *ASN_BKN_FIELDS)))
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        before = Asn.objects.filter(pk=obj.pk).values("opd_id").first() if change else None
        if "atasan" in form.changed_data:
            # A person's choice: the next sync does not undo it (the audit trail says who and when).
            # Clearing it hands the choice back to the data.
            obj.atasan_source = Asn.AtasanSource.MANUAL if obj.atasan_id else ""
            obj.atasan_as_of = None
        super().save_model(request, obj, form, change)
        asn_edited_by_hand.send(sender=Asn, asn_id=obj.pk, previous_opd_id=before["opd_id"] if before else None)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Asn.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        answers = asns_deleting_by_hand.send(sender=Asn, queryset=queryset)
        super().delete_queryset(request, queryset)
        for _receiver, after_delete in answers:
            if after_delete is not None:
                after_delete()


@admin.register(User)
class UserAdmin(NothingChosenInWords, DjangoUserAdmin):
    list_display = ("username", "role", "opd", "asn", "is_active", "last_login")
    list_filter = ("role", "is_active", "opd")
    search_fields = ("username", "first_name", "last_name", "asn__nama", "asn__nip")
    autocomplete_fields = ("asn", "opd")
    list_select_related = ("opd", "asn")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role"), {"fields": ("role", "opd", "asn")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "opd", "asn", "password1", "password2")}),
    )

    change_list_template = "admin/opd/user/change_list.html"

    def get_urls(self):
        return [
            path("unggah-peran/", self.admin_site.admin_view(self.roles_upload), name="opd_user_roles_upload"),
            *super().get_urls(),
        ]

    def roles_upload(self, request):
        """Heads and operators of every OPD at once, from a CSV; each gets an email to set their password."""
        if not request.user.has_perm("opd.add_user"):
            raise PermissionDenied
        form = RolesUploadForm(request.POST or None, request.FILES or None)
        problems = result = None
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    granted = grant_roles_from_csv(text=decode_utf8(form.cleaned_data["berkas"].read()))
                    _refuse_superusers(request, [user for user, _created in granted])
            except FileRefused as refused:
                problems = refused.problems
            else:
                result = {
                    "granted": len(granted),
                    "created": sum(1 for _u, created in granted if created),
                    "invited": invite_users([u for u, _c in granted]),
                }
        context = {
            **self.admin_site.each_context(request),
            "title": _("Give roles from a CSV file"),
            "form": form,
            "problems": problems,
            "result": result,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/opd/user/roles_upload.html", context, status=400 if problems else 200)

    def has_change_permission(self, request, obj=None):
        # A superuser's login (its password, its "active") is changed by superusers only:
        # BKPSDM's role would otherwise let one admin take over the installation's owner.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly


def _refuse_superusers(request, users) -> None:
    """A superuser's login is changed by superusers only, in a CSV as in its form (all rows or none)."""
    if request.user.is_superuser:
        return
    problems = [
        _("NIP %(nip)s is a superuser's login: only a superuser may change it.") % {"nip": user.username}
        for user in users
        if user.is_superuser
    ]
    if problems:
        raise RolesRefused(problems)


class RolesUploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("CSV file with the columns nip, role, opd"),
        help_text=_("role: kepala_opd, operator_opd, admin_bkpsdm, pimpinan, keuangan or asn; opd: the OPD code."),
    )

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        if too_large(upload.size):
            raise forms.ValidationError(too_large(upload.size))
        return upload


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Who opened which ASN's page or downloaded which document; written by the pages, never edited."""

    list_display = ("at", "user", "action", "target", "path")
    list_filter = ("action",)
    search_fields = ("=user__username", "target")
    list_select_related = ("user",)
    date_hierarchy = "at"
