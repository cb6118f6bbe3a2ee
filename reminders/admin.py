from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kapuas_kinerja.admin import ReadOnlyAdmin

from . import outbox
from .models import SECRET_LINK_KINDS, Message, Occasion, ReminderRule, Unsubscription


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """The schedule of reminders, digests and escalations, which BKPSDM may change."""

    list_display = ("kind", "timing", "day", "is_active")
    list_editable = ("is_active",)
    list_filter = ("kind", "is_active")


@admin.register(Occasion)
class OccasionAdmin(ReadOnlyAdmin):
    list_display = ("key", "kind", "day", "messages", "prepared_at")
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The outbox: what went out, what waits, and what needs BKPSDM (uncertain, refused addresses)."""

    list_display = ("address", "kind", "channel", "period", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind", "channel", "period", "opd")
    search_fields = ("address", "=asn__nip", "asn__nama", "idempotency_key")
    list_select_related = ("period",)
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["resend"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.kind in SECRET_LINK_KINDS:
            # A reset or activation link opens that account: whoever reads the outbox must not hold it.
            return [f for f in fields if f not in ("body_text", "body_html")]
        return fields

    @admin.action(description=_("Send again (uncertain or failed messages only)"))
    def resend(self, request, queryset):
        count = outbox.resend(queryset.values_list("pk", flat=True))
        from kapuas_kinerja.celery import queue_on_commit

        from .tasks import send_outbox

        queue_on_commit(send_outbox)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )

    def get_actions(self, request):
        # The resend action changes rows, which the read-only rule otherwise forbids.
        actions = super().get_actions(request)
        if not request.user.has_perm("reminders.change_message"):
            actions.pop("resend", None)
        return actions


@admin.register(Unsubscription)
class UnsubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("asn", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("=asn__nip", "asn__nama")
    list_select_related = ("asn",)
