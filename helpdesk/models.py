from django.conf import settings
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from reports.models import private_storage


class Ticket(models.Model):
    """A technical problem with e-Kinerja reported to BKPSDM's performance division (circular point 11)."""

    class Category(models.TextChoices):
        LOGIN = "login", _("Logging in to e-Kinerja / MyASN")
        DATA = "data", _("Personnel data or wrong appraiser")
        RUANG_GTK = "ruang_gtk", _("Ruang GTK sync (teachers)")
        RATING = "rating", _("Ratings (penilaian)")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        NEW = "baru", _("New")
        IN_PROGRESS = "diproses", _("In progress")
        WAITING = "menunggu", _("Waiting for the reporter's answer")
        DONE = "selesai", _("Solved")
        REJECTED = "ditolak", _("Rejected")

    OPEN = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("reporter")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=150)
    description = models.TextField(_("description"))
    asn = models.ForeignKey(
        "opd.Asn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("ASN concerned")
    )
    period = models.ForeignKey(
        "skp.Period", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("period")
    )
    # Whose OPD sees it: the ASN concerned's, else the reporter's own.
    opd = models.ForeignKey(
        "opd.Opd", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("OPD")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["opd", "status"])]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class TicketEntry(models.Model):
    """A reply (the reporter sees it), an internal note (BKPSDM only) or a change of status or handler."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        CHANGE = "change", _("Change")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ticket entry")
        verbose_name_plural = _("ticket entries")

    def __str__(self):
        return f"#{self.ticket_id}, {self.get_kind_display()}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class Attachment(models.Model):
    """A screenshot or PDF with a ticket, checked by content and stored privately."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(TicketEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to="helpdesk/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class Holiday(models.Model):
    """A public holiday or joint leave day (cuti bersama): not a working day for the 3-day count."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self):
        return f"{formats.date_format(self.date, 'DATE_FORMAT')}: {self.name}"
