from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kapuas_kinerja.admin import ModelAdmin, ReadOnlyAdmin, TabularInline

from .models import Finalisation, RuleSet, ShareRule


class ShareRuleInline(TabularInline):
    model = ShareRule
    extra = 0
    fields = ("status", "predikat", "applies_to", "share")


@admin.register(RuleSet)
class RuleSetAdmin(ModelAdmin):
    """The TPP rule tables. The shipped one is an example: the Perbup Kapuas decides the real shares."""

    list_display = ("effective_from", "legal_basis")
    inlines = [ShareRuleInline]
    fieldsets = [
        (
            None,
            {
                "fields": ("effective_from", "legal_basis", "note"),
                "description": _(
                    "The shares of the TPP performance component are decided by the Peraturan Bupati Kapuas. "
                    "The table shipped with the portal is an example: enter the Perbup's numbers as a new table "
                    "with the date they apply from. A finalised TPP basis keeps the table it was made with."
                ),
            },
        )
    ]


@admin.register(Finalisation)
class FinalisationAdmin(ReadOnlyAdmin):
    """Finalised bases: made and reopened on the OPD's TPP page, where their rows are shown; listed here."""

    list_display = ("opd", "period", "version", "finalised_at", "finalised_by", "reopened_at", "reopened_by")
    list_filter = ("period", "opd")
    list_select_related = ("opd", "period", "finalised_by", "reopened_by")
