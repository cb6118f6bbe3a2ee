from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from skp import rules
from skp.models import Predikat

STATUS_CHOICES = [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES]


class RuleSet(models.Model):
    """The share of TPP's performance component paid for each status and predikat, from a date on.

    Perbup Kapuas decides the real numbers; the portal ships an example that
    BKPSDM replaces. A period uses the set in force on its first day.
    """

    effective_from = models.DateField(_("in force from"), unique=True)
    legal_basis = models.CharField(
        _("legal basis"), max_length=200, help_text=_("The Perbup or decree these numbers come from.")
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("TPP rule table")
        verbose_name_plural = _("TPP rule tables")

    def __str__(self):
        # People read the date as the regency writes it ("1 Januari 2025"), never ISO.
        return _("%(basis)s, in force from %(date)s") % {
            "basis": self.legal_basis,
            "date": date_format(self.effective_from, "DATE_FORMAT"),
        }


class ShareRule(models.Model):
    """One line: for this status (and predikat, or any), this share is paid, to everyone or to one group.

    Many regencies pay certified teachers through TPG and not through this
    basis: a line may apply to teachers or to non-teachers only; a line for
    that group wins over a line for everyone.
    """

    class AppliesTo(models.TextChoices):
        ALL = "all", _("everyone")
        GURU = "guru", _("teachers only")
        NON_GURU = "non_guru", _("non-teachers only")

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule table"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES)
    predikat = models.CharField(
        _("predikat"), max_length=20, choices=Predikat.choices, blank=True, help_text=_("Empty: any predikat.")
    )
    share = models.DecimalField(
        _("share paid (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.ALL)

    class Meta:
        ordering = ["ruleset", "status", "predikat"]
        verbose_name = _("share rule")
        verbose_name_plural = _("share rules")
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "status", "predikat", "applies_to"], name="share_rule_unique"),
            models.CheckConstraint(condition=Q(share__gte=0, share__lte=100), name="share_rule_0_100"),
        ]

    def __str__(self):
        return f"{self.status} {self.predikat or '*'}: {self.share}%"


class Finalisation(models.Model):
    """BKPSDM froze one OPD's TPP basis for one period. A reopening is explicit and audited."""

    period = models.ForeignKey("skp.Period", on_delete=models.PROTECT, related_name="+", verbose_name=_("period"))
    opd = models.ForeignKey("opd.Opd", on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD"))
    version = models.PositiveSmallIntegerField(_("version"))
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule table"))
    as_of = models.DateTimeField(_("data as of"))
    finalised_at = models.DateTimeField(_("finalised"), auto_now_add=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("finalised by")
    )
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["-period", "opd", "-version"]
        verbose_name = _("finalised TPP basis")
        verbose_name_plural = _("finalised TPP bases")
        constraints = [
            models.UniqueConstraint(fields=["period", "opd", "version"], name="finalisation_unique_version"),
            # At most one version in force per OPD and period.
            models.UniqueConstraint(
                fields=["period", "opd"], condition=Q(reopened_at__isnull=True), name="finalisation_one_in_force"
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="finalisation_reopen_has_reason",
                violation_error_message=_("Reopening needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.opd_id} {self.period_id} v{self.version}"

    @property
    def in_force(self) -> bool:
        return self.reopened_at is None


class BasisRow(models.Model):
    """One ASN's line of a finalised basis, copied at finalisation so nothing later changes it."""

    finalisation = models.ForeignKey(Finalisation, on_delete=models.CASCADE, related_name="rows")
    asn = models.ForeignKey("opd.Asn", on_delete=models.PROTECT, related_name="+")
    nip = models.CharField(_("NIP"), max_length=18)
    nama = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    is_guru = models.BooleanField(_("teacher"))
    status = models.CharField(_("status"), max_length=10, choices=STATUS_CHOICES)
    predikat = models.CharField(_("predikat"), max_length=20, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # Empty: the month was not yet due (a teacher's cycle period still open), marked "not yet due", never 0 %.
    share = models.DecimalField(_("share paid (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("why"), max_length=300)

    class Meta:
        ordering = ["finalisation", "unit", "nama"]
        verbose_name = _("TPP basis row")
        verbose_name_plural = _("TPP basis rows")
        constraints = [models.UniqueConstraint(fields=["finalisation", "asn"], name="basis_row_unique_asn")]

    def __str__(self):
        return f"{self.nip} {self.share if self.share is not None else '-'}%"
