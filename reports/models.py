import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files no URL serves, only views that check who may see them: PRIVATE_MEDIA_ROOT, not MEDIA or static."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateStorage()


class ReportJob(models.Model):
    """A PDF built in the background: the page polls it and then offers the download."""

    class Kind(models.TextChoices):
        OPD_RECAP = "opd_recap", _("Monthly recap of an OPD")
        REGENCY_RECAP = "regency_recap", _("Monthly recap of every OPD")
        TPP_BASIS = "tpp_basis", _("TPP basis of an OPD")
        ANNUAL_RECAP = "annual_recap", _("Annual SKP recap of an OPD, to sign")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    period = models.ForeignKey(
        "skp.Period", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    opd = models.ForeignKey(
        "opd.Opd", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("OPD")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("step"), max_length=100, blank=True)
    file = models.FileField(storage=private_storage, upload_to="reports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document being built")
        verbose_name_plural = _("documents being built")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class AnnualRecapUpload(models.Model):
    """One version of an OPD's signed and stamped annual SKP recap (circular point 8). Every version is kept."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting BKPSDM's check")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned for correction")

    opd = models.ForeignKey("opd.Opd", on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="annual-recaps/%Y/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
    )
    reviewed_at = models.DateTimeField(_("checked"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)

    class Meta:
        ordering = ["opd", "-year", "-version"]
        verbose_name = _("signed annual SKP recap")
        verbose_name_plural = _("signed annual SKP recaps")
        constraints = [
            models.UniqueConstraint(fields=["opd", "year", "version"], name="annual_upload_unique_version"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="annual_upload_return_has_reason",
                violation_error_message=_("Returning a recap needs a reason."),
            ),
        ]

    def __str__(self):
        return _("%(opd)s %(year)s, version %(version)s") % {
            "opd": self.opd.nama,
            "year": self.year,
            "version": self.version,
        }
