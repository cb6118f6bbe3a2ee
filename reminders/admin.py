from django.contrib import admin, messages
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kapuas_kinerja.admin import ModelAdmin, ReadOnlyAdmin

from . import outbox, quotas
from .models import SECRET_LINK_KINDS, Message, Occasion, ReminderRule, Unsubscription


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@admin.register(ReminderRule)
class ReminderRuleAdmin(ModelAdmin):
    """The schedule of reminders, digests and escalations, which BKPSDM may change."""

    list_display = ("kind", "timing", "day", "is_active")
    list_editable = ("is_active",)
    list_filter = ("kind", "is_active")


@admin.register(Occasion)
class OccasionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "period", "day", "messages", "prepared_at")
    exclude = ("key",)  # the scheduler's own key (period/kind/day): the columns say it in words
    list_filter = ("kind",)
    date_hierarchy = "day"


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The outbox: what went out, what waits, and what needs BKPSDM (uncertain, refused addresses)."""

    list_display = (
        "address",
        "kind",
        "channel",
        "period",
        "status",
        "estimate",
        "priority",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "kind", "channel", "period", "opd")
    search_fields = ("address", "=asn__nip", "asn__nama", "idempotency_key")
    list_select_related = ("period",)
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["resend"]

    def changelist_view(self, request, extra_context=None):
        """Above the list: per channel, what waits for the quotas and when the last of it will go."""
        now = timezone.now()
        # This request's plans (one per channel), read by the estimate column (get_list_display).
        request.outbox_plans = plans = {}
        for channel, label in Message.Channel.choices:
            if not quotas.waiting_rows(channel).exists():
                continue
            plan = plans[channel] = quotas.plan(channel, now)
            limits = quotas.limits(channel)
            text = ngettext(
                "%(channel)s: %(count)d message waits",
                "%(channel)s: %(count)d messages wait",
                len(plan.eta),
            ) % {"channel": label, "count": len(plan.eta)}
            if plan.last is not None:
                text += gettext("; the last should go at about %(when)s") % {"when": when(plan.last)}
            if limits:
                text += gettext(" (quotas: %(limits)s)") % {"limits": quota_text(limits)}
            if plan.too_late:
                text += ngettext(
                    "; %(count)d reminder cannot go before its deadline and will be dropped",
                    "; %(count)d reminders cannot go before their deadline and will be dropped",
                    len(plan.too_late),
                ) % {"count": len(plan.too_late)}
            self.message_user(request, text + ".", messages.INFO)
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        """The estimate column reads the plans this request's changelist_view made (none elsewhere)."""
        plans = getattr(request, "outbox_plans", {})

        @admin.display(description=_("goes at about"))
        def estimate(obj):
            return self.estimate(obj, plans.get(obj.channel))

        return [estimate if name == "estimate" else name for name in super().get_list_display(request)]

    def estimate(self, obj, plan):
        if plan is None or obj.status not in (Message.Status.QUEUED, Message.Status.RETRY):
            return "-"
        if obj.pk in plan.too_late:
            return gettext("too late for its deadline")
        eta = plan.eta.get(obj.pk)
        return when(eta) if eta else "-"

    def get_fields(self, request, obj=None):
        # The outbox's own keys (period/kind/day/person) and the HTML source are for the sender, not for people:
        # the message's kind, period and text say the same in words.
        fields = [f for f in super().get_fields(request, obj) if f not in ("idempotency_key", "occasion")]
        if obj is not None and obj.kind in SECRET_LINK_KINDS:
            # A reset or activation link opens that account: whoever reads the outbox must not hold it.
            return [f for f in fields if f not in ("body_text", "body_html")]
        return [f for f in fields if f != "body_html"]

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


def quota_text(limits) -> str:
    names = {60: gettext("per minute"), 3600: gettext("per hour"), 86400: gettext("per day")}
    return ", ".join(
        f"{formats.number_format(limit, force_grouping=True)} {names[int(span.total_seconds())]}"
        for span, limit in sorted(limits.items())
    )


@admin.register(Unsubscription)
class UnsubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("asn", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("=asn__nip", "asn__nama")
    list_select_related = ("asn",)
