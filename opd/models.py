import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Substr
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from .emails import validate_plain_email
from .nip import NIP_PATTERN, PNS, PPPK, validate_nip


def new_data_version() -> int:
    return secrets.randbits(62)


class Opd(models.Model):
    """A perangkat daerah (dinas, badan, kecamatan…) of the regency."""

    class Kind(models.TextChoices):
        SEKRETARIAT = "sekretariat", _("Secretariat")
        INSPEKTORAT = "inspektorat", _("Inspectorate")
        BADAN = "badan", _("Agency (badan)")
        DINAS = "dinas", _("Service (dinas)")
        KECAMATAN = "kecamatan", _("District (kecamatan)")

    kode = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("Short code used in addresses, e.g. DINKES."),
    )
    nama = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    head = models.ForeignKey(
        "Asn",
        verbose_name=_("head (Kepala OPD)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_opds",
    )
    siasn_unor_id = models.CharField(_("SIASN unit id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # A new random value in the same transaction as every change to what this
    # OPD's pages show (opd.services.opd_data_changed): cached parts of its
    # dashboard are keyed by it. Random rather than counted, so a restored
    # backup never meets a cached part built from other data.
    data_version = models.BigIntegerField(default=new_data_version, editable=False)

    class Meta:
        ordering = ["nama"]
        verbose_name = _("OPD")
        verbose_name_plural = _("OPD")
        constraints = [models.CheckConstraint(condition=Q(kode__regex=r"^[A-Z0-9-]+$"), name="opd_kode_uppercase")]

    def __str__(self):
        return self.nama


class Unit(models.Model):
    """A unit under an OPD (bidang, sekolah, puskesmas, kelurahan…), as a tree."""

    opd = models.ForeignKey(Opd, verbose_name=_("OPD"), on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    nama = models.CharField(_("name"), max_length=200)
    head = models.ForeignKey(
        "Asn",
        verbose_name=_("unit head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    siasn_unor_id = models.CharField(_("SIASN unit id"), max_length=64, blank=True)

    class Meta:
        ordering = ["opd", "nama"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["opd", "nama"], name="unit_unique_name_in_opd"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self):
        return self.nama

    def clean(self):
        if self.parent_id and self.parent.opd_id != self.opd_id:
            raise ValidationError({"parent": _("The parent unit belongs to another OPD.")})


class AsnQuerySet(models.QuerySet):
    def expected_to_file(self):
        """Active ASN who belong to the population (an appraiser known only from a BKN row does not)."""
        return self.filter(is_active=True, known_only_as_appraiser=False)


class Asn(models.Model):
    """A civil servant (PNS or PPPK) expected to file a monthly SKP."""

    class AtasanSource(models.TextChoices):
        # DESIGN.md "Real BKN data": e-Kinerja's rows first, then SIASN, then the unit head; a person overrides.
        EKINERJA = "ekinerja", _("e-Kinerja (the appraiser its rows name)")
        SIASN = "siasn", _("SIASN (the appraiser of the latest rating there)")
        UNIT_HEAD = "unit_head", _("head of the unit")
        MANUAL = "manual", _("set by BKPSDM")

    class Kind(models.TextChoices):
        PNS = PNS, "PNS"
        PPPK = PPPK, "PPPK"

    class JenisJabatan(models.TextChoices):
        STRUKTURAL = "struktural", _("Structural")
        FUNGSIONAL = "fungsional", _("Functional")
        PELAKSANA = "pelaksana", _("Executive (pelaksana)")

    nip = models.CharField(
        _("NIP"),
        max_length=18,
        unique=True,
        help_text=_("18 digits, without spaces."),
    )
    nama = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("PNS/PPPK"), max_length=4, choices=Kind.choices, default=Kind.PNS)
    jabatan = models.CharField(_("position (jabatan)"), max_length=200, blank=True)
    jenis_jabatan = models.CharField(_("position type"), max_length=20, choices=JenisJabatan.choices, blank=True)
    # Teachers are rated through Ruang GTK; DESIGN.md: "the jabatan name
    # starts with Guru". Generated in the database so no write path can forget it.
    is_guru = models.GeneratedField(
        expression=Exact(Lower(Substr("jabatan", 1, 4)), "guru"),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("teacher"),
    )
    opd = models.ForeignKey(Opd, verbose_name=_("OPD"), on_delete=models.PROTECT, related_name="asn")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="asn"
    )
    atasan = models.ForeignKey(
        "self",
        verbose_name=_("appraiser (atasan)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appraisees",
    )
    atasan_source = models.CharField(
        _("where the appraiser comes from"), max_length=12, choices=AtasanSource.choices, blank=True
    )
    # The first day of the month whose e-Kinerja row named the current appraiser: a sync
    # of an older month does not replace the appraiser a newer month named.
    atasan_as_of = models.DateField(_("appraiser named for the month of"), null=True, blank=True)
    known_only_as_appraiser = models.BooleanField(
        _("known only as an appraiser"),
        default=False,
        help_text=_(
            "Created from a BKN row that names them as someone's appraiser: not expected to file "
            "until an SKP plan, SIASN or BKPSDM adds them (untick to add them)."
        ),
    )
    email = models.EmailField(_("email"), blank=True, validators=[validate_plain_email])
    # What SIASN holds when it is not one usable address (opd/emails.py): never
    # sent to, shown to BKPSDM so it can be fixed at the source.
    email_rejected = models.CharField(
        _("email refused from SIASN"),
        max_length=254,
        blank=True,
        editable=False,
        help_text=_("What SIASN holds as the email when it is not one valid address; reminders cannot use it."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive ASN are no longer expected to file.")
    )
    siasn_pns_id = models.CharField(_("SIASN PNS id"), max_length=64, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AsnQuerySet.as_manager()

    class Meta:
        ordering = ["nama"]
        verbose_name = _("ASN")
        verbose_name_plural = _("ASN")
        constraints = [
            models.CheckConstraint(condition=Q(nip__regex=NIP_PATTERN), name="asn_nip_18_digits"),
            models.CheckConstraint(condition=~Q(atasan=models.F("id")), name="asn_not_own_atasan"),
        ]
        indexes = [models.Index(fields=["opd", "is_active"]), models.Index(Lower("nama"), name="asn_nama_lower")]

    def __str__(self):
        return f"{self.nama} ({self.nip})"

    def clean(self):
        try:
            info = validate_nip(self.nip, self.kind)
        except ValidationError as error:
            raise ValidationError({"nip": error.messages}) from None
        self.nip = info.nip
        if self.unit_id and self.unit.opd_id != self.opd_id:
            raise ValidationError({"unit": _("The unit belongs to another OPD.")})


class User(AbstractUser):
    """A login. ASN log in with their NIP as username; others get a name from BKPSDM."""

    class Role(models.TextChoices):
        ADMIN_BKPSDM = "admin_bkpsdm", _("BKPSDM administrator")
        PIMPINAN = "pimpinan", _("Leadership (pimpinan)")
        KEUANGAN = "keuangan", _("Finance (BKAD)")
        KEPALA_OPD = "kepala_opd", _("Head of OPD")
        OPERATOR_OPD = "operator_opd", _("OPD operator")
        ASN = "asn", _("ASN")

    OPD_ROLES = (Role.KEPALA_OPD, Role.OPERATOR_OPD)
    REGENCY_ROLES = (Role.ADMIN_BKPSDM, Role.PIMPINAN, Role.KEUANGAN)

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ASN)
    asn = models.OneToOneField(
        Asn, verbose_name=_("ASN"), null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    opd = models.ForeignKey(
        Opd,
        verbose_name=_("OPD of the role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Required for heads and operators of an OPD."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=["kepala_opd", "operator_opd"]) | Q(opd__isnull=False),
                name="user_opd_role_needs_opd",
            ),
            models.CheckConstraint(
                condition=~Q(role="asn") | Q(asn__isnull=False) | Q(is_superuser=True),
                name="user_asn_role_needs_asn",
            ),
        ]

    def clean(self):
        super().clean()
        if self.role in self.OPD_ROLES and not self.opd_id:
            raise ValidationError({"opd": _("Heads and operators of an OPD need their OPD.")})
        if self.role == self.Role.ASN and not self.asn_id and not self.is_superuser:
            raise ValidationError({"asn": _("An ASN login must be linked to its ASN.")})


class AccessLog(models.Model):
    """Who opened which ASN's page or downloaded which document (UU 27/2022 on personal data)."""

    class Action(models.TextChoices):
        VIEW_ASN = "view_asn", _("Opened an ASN's page")
        DOWNLOAD = "download", _("Downloaded a document")

    user = models.ForeignKey("User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    target = models.CharField(_("what"), max_length=200)
    path = models.CharField(_("address"), max_length=300)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self):
        return f"{self.user_id} {self.action} {self.target}"
