import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a message is for. The first five are scheduled; the rest are sent on demand."""

    ASN_REMINDER = "asn_reminder", _("Reminder to an ASN")
    ATASAN_DIGEST = "atasan_digest", _("Digest to an appraiser")
    OPD_DIGEST = "opd_digest", _("Overdue digest to the heads of an OPD")
    ESCALATION = "escalation", _("Escalation to BKPSDM")
    SUMMARY = "summary", _("Monthly summary to the leadership")
    NUDGE = "nudge", _("Reminder sent by the head of the OPD")
    ATASAN_NUDGE = "atasan_nudge", _("Reminder to an appraiser about staff waiting for a rating")
    ACTIVATION = "activation", _("Account activation")
    HELPDESK = "helpdesk", _("Helpdesk: an answer or a change to a ticket")
    PASSWORD_RESET = "password_reset", _("Password reset")


SCHEDULED_KINDS = (Kind.ASN_REMINDER, Kind.ATASAN_DIGEST, Kind.OPD_DIGEST, Kind.ESCALATION, Kind.SUMMARY)
# Sent only while the deadline is open: after it, the digests to heads take over.
BEFORE_DEADLINE_KINDS = (Kind.ASN_REMINDER, Kind.ATASAN_DIGEST)
# An ASN may turn these off; digests and escalations to heads are mandatory.
OPTIONAL_KINDS = (Kind.ASN_REMINDER, Kind.NUDGE)
# The outbox's order (lower goes sooner), also when the mail server's quota holds
# messages back: someone waiting at the screen for a link goes ahead of everything,
# then helpdesk answers, then the few people who chase many (heads, appraisers,
# BKPSDM, pimpinan), then a head's nudge, and the broad reminders to every ASN last.
PRIORITY_ACCOUNT = 0
PRIORITY_HELPDESK = 10
PRIORITY_CHASERS = 20
PRIORITY_NUDGE = 30
PRIORITY_DEFAULT = 50
KIND_PRIORITY = {
    Kind.PASSWORD_RESET: PRIORITY_ACCOUNT,
    Kind.ACTIVATION: PRIORITY_ACCOUNT,
    Kind.HELPDESK: PRIORITY_HELPDESK,
    Kind.OPD_DIGEST: PRIORITY_CHASERS,
    Kind.ATASAN_DIGEST: PRIORITY_CHASERS,
    Kind.ESCALATION: PRIORITY_CHASERS,
    Kind.SUMMARY: PRIORITY_CHASERS,
    Kind.NUDGE: PRIORITY_NUDGE,
    Kind.ATASAN_NUDGE: PRIORITY_NUDGE,
    Kind.ASN_REMINDER: PRIORITY_DEFAULT,
}
# Messages whose body holds a one-time link to an account: the admin panel does not show it.
SECRET_LINK_KINDS = (Kind.PASSWORD_RESET, Kind.ACTIVATION)


def priority_of(kind: str) -> int:
    return KIND_PRIORITY.get(kind, PRIORITY_DEFAULT)


class ReminderRule(models.Model):
    """One line of the reminder schedule, edited by BKPSDM in the admin panel."""

    class Timing(models.TextChoices):
        DAY_OF_MONTH = "day_of_month", _("On this day of the month after the period")
        AFTER_DEADLINE = "after_deadline", _("This many days after the deadline")
        WEEKLY = "weekly", _("Every week on this weekday (0 = Monday) after the deadline, until the next deadline")

    kind = models.CharField(_("message"), max_length=20, choices=[(k.value, k.label) for k in SCHEDULED_KINDS])
    timing = models.CharField(_("timing"), max_length=20, choices=Timing.choices)
    day = models.PositiveSmallIntegerField(_("day"), help_text=_("Day of the month, number of days or weekday."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "timing", "day"]
        verbose_name = _("reminder schedule")
        verbose_name_plural = _("reminder schedule")
        constraints = [
            models.UniqueConstraint(fields=["kind", "timing", "day"], name="reminder_rule_unique"),
            models.CheckConstraint(
                condition=~Q(timing="day_of_month") | Q(day__gte=1, day__lte=28),
                name="reminder_rule_day_of_month_1_28",
                violation_error_message=_("A day of the month must be from 1 to 28."),
            ),
            models.CheckConstraint(
                condition=~Q(timing="weekly") | Q(day__lte=6),
                name="reminder_rule_weekday_0_6",
                violation_error_message=_("A weekday is 0 (Monday) to 6 (Sunday)."),
            ),
            models.CheckConstraint(
                condition=~Q(timing="after_deadline") | Q(day__lte=60),
                name="reminder_rule_after_deadline_60",
                violation_error_message=_("At most 60 days after the deadline."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_timing_display()} ({self.day})"

    def clean(self):
        if self.kind in BEFORE_DEADLINE_KINDS and self.timing != self.Timing.DAY_OF_MONTH:
            raise ValidationError({"timing": _("Reminders before the deadline are set by a day of the month.")})


class Occasion(models.Model):
    """A scheduled occasion that has gone out: prepared once, never again."""

    key = models.CharField(_("occasion"), max_length=80, unique=True)
    period = models.ForeignKey("skp.Period", verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("message"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("day"))
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    messages = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        ordering = ["-day", "kind"]
        verbose_name = _("occasion sent")
        verbose_name_plural = _("occasions sent")

    def __str__(self):
        return f"{self.get_kind_display()}, {formats.date_format(self.day, 'DATE_FORMAT')}"


class Message(models.Model):
    """One message to one person on one channel: the outbox row a worker claims before sending."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WHATSAPP = "whatsapp", _("WhatsApp")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("Waiting to retry")
        FAILED = "failed", _("Failed (address refused)")
        UNCERTAIN = "uncertain", _("Uncertain: may not have gone out")
        CANCELLED = "cancelled", _("Cancelled (no longer needed)")

    idempotency_key = models.CharField(_("key"), max_length=160, unique=True)
    kind = models.CharField(_("message"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    period = models.ForeignKey(
        "skp.Period", verbose_name=_("period"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occasion = models.CharField(_("occasion"), max_length=80, blank=True)
    # Who it is for: an ASN (by their record) or a login without one (the Bupati).
    asn = models.ForeignKey(
        "opd.Asn", verbose_name=_("ASN"), null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.CASCADE
    )
    opd = models.ForeignKey(
        "opd.Opd", verbose_name=_("OPD"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=PRIORITY_DEFAULT, help_text=_("Lower goes first.")
    )
    # A reminder meant for before a deadline: if the quotas cannot get it out by
    # then it is cancelled, never sent late.
    send_before = models.DateTimeField(_("send before"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("outbox")
        constraints = [
            models.CheckConstraint(condition=Q(asn__isnull=False) | Q(user__isnull=False), name="message_has_recipient")
        ]
        indexes = [
            # The sender's question: what is waiting, oldest first.
            models.Index(fields=["status", "next_attempt_at"]),
            # "Last reminded" on the dashboard and "no working email".
            models.Index(fields=["asn", "kind", "-created_at"]),
            # The quotas: how many went out on a channel in the last minute, hour and day.
            models.Index(fields=["channel", "sent_at"], name="message_channel_sent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.address}"


class Unsubscription(models.Model):
    """An ASN who turned off one kind of optional message (by the link in it or on their page)."""

    asn = models.ForeignKey("opd.Asn", verbose_name=_("ASN"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("message"), max_length=20, choices=[(k.value, k.label) for k in OPTIONAL_KINDS])
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [models.UniqueConstraint(fields=["asn", "kind"], name="unsubscription_unique")]

    def __str__(self):
        return f"{self.asn.nama}: {self.get_kind_display()}"
