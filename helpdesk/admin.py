from django.contrib import admin

from kapuas_kinerja.admin import ModelAdmin, ReadOnlyAdmin

from .models import Holiday, Ticket


@admin.register(Holiday)
class HolidayAdmin(ModelAdmin):
    """Public holidays and joint leave days: skipped when counting a ticket's working days."""

    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Tickets are worked on the helpdesk pages, where every action is checked and recorded."""

    list_display = ("pk", "subject", "category", "opd", "status", "assignee", "created_at")
    list_filter = ("status", "category", "opd")
    search_fields = ("subject", "=reporter__username", "=asn__nip")
    list_select_related = ("opd", "assignee")
