import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import rules
from .expressions import exemption_overlaps, predikat_case

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class Rating(models.IntegerChoices):
    ABOVE = rules.ABOVE, _("Above expectation")
    AS_EXPECTED = rules.AS_EXPECTED, _("As expected")
    BELOW = rules.BELOW, _("Below expectation")


class Predikat(models.TextChoices):
    SANGAT_BAIK = rules.SANGAT_BAIK, _("Very good")
    BAIK = rules.BAIK, _("Good")
    BUTUH_PERBAIKAN = rules.BUTUH_PERBAIKAN, _("Needs improvement")
    KURANG = rules.KURANG, _("Poor")
    SANGAT_KURANG = rules.SANGAT_KURANG, _("Very poor")


class Stage(models.TextChoices):
    NOT_STARTED = rules.NOT_STARTED, _("Not started")
    SUBMITTED = rules.SUBMITTED, _("Submitted, awaiting appraiser")
    RATED = rules.RATED, _("Rated")


class Source(models.TextChoices):
    EKINERJA = "ekinerja", _("e-Kinerja sync")
    SIASN = "siasn", _("SIASN sync")
    IMPORT = "import", _("Excel/CSV import")
    MANUAL = "manual", _("Entered by hand")
    DEMO = "demo", _("Demo data")


class Cycle(models.TextChoices):
    BULANAN = rules.BULANAN, _("monthly")
    TRIWULAN = rules.TRIWULAN, _("quarterly")
    SEMESTER = rules.SEMESTER, _("half-yearly")
    TAHUNAN = rules.TAHUNAN, _("yearly")


class MonthQuerySet(models.QuerySet):
    pass


class MonthManager(models.Manager.from_queryset(MonthQuerySet)):
    """`Period.objects`: the calendar months only, which is what every month's page, count and sync means."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=rules.BULANAN)


class Period(models.Model):
    """A period of reporting with the Kapuas deadline and BKPSDM's override.

    A calendar month (kind `bulanan`) for everyone; a quarter, half-year or
    year (kind `triwulan`, `semester`, `tahunan`) for the teachers' Ruang GTK
    cycle, whose ratings e-Kinerja keeps under periods of their own. `month`
    is the last month of the period (3 for Q1), so each kind keeps the same
    "15th of the next month" deadline. `Period.objects` holds the months;
    `Period.every` every kind.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=Cycle.choices, default=rules.BULANAN)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), help_text=_("For a cycle period: its last month."))
    start_date = models.DateField(_("first day"), editable=False)
    end_date = models.DateField(_("last day"), editable=False)
    deadline_default = models.DateTimeField(
        _("deadline by the circular"),
        editable=False,
        help_text=_("The 15th of the next month, 23:59:59 WIB."),
    )
    deadline_override = models.DateTimeField(
        _("deadline set by BKPSDM"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the circular's deadline."),
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    # BKN's ids are opaque text: numbers in some installations, UUIDs in others.
    bkn_periode_id = models.CharField(_("e-Kinerja period id"), max_length=64, null=True, blank=True, unique=True)
    bkn_batas_pengisian = models.DateField(
        _("BKN's own filing limit"),
        null=True,
        blank=True,
        help_text=_("Kept for reference; the Kapuas deadline decides."),
    )

    every = models.Manager()
    objects = MonthManager()

    class Meta:
        ordering = ["-year", "-month"]
        default_manager_name = "every"
        base_manager_name = "every"
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "month"], name="period_unique_kind_month"),
            models.CheckConstraint(
                condition=Q(kind=rules.BULANAN)
                | Q(kind=rules.TRIWULAN, month__in=[3, 6, 9, 12])
                | Q(kind=rules.SEMESTER, month__in=[6, 12])
                | Q(kind=rules.TAHUNAN, month=12),
                name="period_cycle_ends_its_cycle",
            ),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="period_month_1_12"),
            models.CheckConstraint(
                condition=Q(deadline_override__isnull=True) | ~Q(override_reason=""),
                name="period_override_has_reason",
                violation_error_message=_("A changed deadline needs a reason."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The period as people read it: "Oktober 2026", "Triwulan I 2026" (the key, 2026-10, stays in URLs)."""
        if self.kind == rules.TRIWULAN:
            return _("Quarter %(n)s %(year)s") % {"n": ROMAN[self.month // 3], "year": self.year}
        if self.kind == rules.SEMESTER:
            return _("Semester %(n)s %(year)s") % {"n": ROMAN[self.month // 6], "year": self.year}
        if self.kind == rules.TAHUNAN:
            return _("Year %(year)s") % {"year": self.year}
        return formats.date_format(dt.date(self.year, self.month, 1), "YEAR_MONTH_FORMAT")

    @property
    def key(self) -> str:
        return rules.cycle_key(self.kind, self.year, self.month)

    @classmethod
    def label_of(cls, key: str) -> str:
        """A period key as people read it ("2026-10" → "Oktober 2026"); anything else as written."""
        try:
            kind, year, month = rules.parse_cycle_period(key)
        except rules.RuleError:
            return key
        return cls(kind=kind, year=year, month=month).label

    @property
    def deadline(self) -> dt.datetime:
        return self.deadline_override or self.deadline_default

    @property
    def is_month(self) -> bool:
        return self.kind == rules.BULANAN

    @classmethod
    def build(cls, year: int, month: int, kind: str = rules.BULANAN, **fields) -> "Period":
        """An unsaved period with its dates filled in from the rules (`month`: the last month of a cycle period)."""
        start, end = rules.cycle_bounds(kind, year, month)
        return cls(
            kind=kind,
            year=year,
            month=month,
            start_date=start,
            end_date=end,
            deadline_default=rules.default_deadline(year, month),
            **fields,
        )

    @classmethod
    def cycle_period(cls, kind: str, year: int, end_month: int) -> "Period":
        """The stored period of that kind, or one built from the rules (reading never writes)."""
        return cls.every.filter(kind=kind, year=year, month=end_month).first() or cls.build(year, end_month, kind)

    def teacher_period(self) -> "Period | None":
        """The teachers' cycle period containing this month, None when the year's cycle is monthly.

        At most two queries, once per instance (a list asks it once, not per row). Periods
        loaded together may share one read of their years' cycles: `year_cycles`, set by
        `recent_periods`, reads them all on the first call.
        """
        if not hasattr(self, "_teacher_period"):
            shared = getattr(self, "year_cycles", None)
            if not self.is_month:
                cycle = rules.BULANAN
            else:
                cycle = shared()[self.year] if shared else TeacherCycle.cycle_of(self.year)
            self._teacher_period = (
                None
                if cycle == rules.BULANAN
                else Period.cycle_period(cycle, self.year, rules.cycle_end_month(cycle, self.month))
            )
        return self._teacher_period

    def months(self) -> list["Period"]:
        """The stored months this period covers (itself for a month)."""
        if self.is_month:
            return [self]
        return list(Period.objects.filter(year=self.year, start_date__gte=self.start_date, end_date__lte=self.end_date))


class TeacherCycle(models.Model):
    """The teachers' reporting cycle of one year, set by BKPSDM (no row: monthly, like everyone)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices, default=rules.BULANAN)
    note = models.TextField(_("note"), blank=True)
    help_url = models.URLField(
        _("help for school heads"),
        blank=True,
        help_text=_("A page on rating teachers in Ruang GTK, linked on the school heads' staff page."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("teachers' reporting cycle")
        verbose_name_plural = _("teachers' reporting cycles")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="teacher_cycle_real_year")
        ]

    def __str__(self):
        return f"{self.year}: {self.get_cycle_display()}"

    @classmethod
    def cycle_of(cls, year: int) -> str:
        """The year's cycle, read from its row each time (one indexed row; docs/decisions.md, "The teachers'
        cycle is read, not cached"): a copy kept in a process would outlive BKPSDM's change in the others."""
        return cls.cycles_of({year})[year]

    @classmethod
    def cycles_of(cls, years) -> dict[int, str]:
        """Each year's cycle in one query (monthly where BKPSDM set none)."""
        stored = dict(cls.objects.filter(year__in=years).values_list("year", "cycle"))
        return {year: stored.get(year, rules.BULANAN) for year in years}

    @classmethod
    def help_url_of(cls, year: int) -> str:
        """BKPSDM's Ruang GTK help page for the year's teachers, "" when it gave none."""
        return cls.objects.filter(year=year).values_list("help_url", flat=True).first() or ""


# What BKN's Laporan Penilaian row says of a month: a sync writes these, the admin shows them read-only.
RATING_FIELDS = ("stage", "submitted_at", "rated_at", "rating_hasil", "rating_perilaku", "predikat_bkn")


class MonthlyRecord(models.Model):
    """One ASN's SKP filing for one month, as mirrored from BKN (or entered by hand)."""

    asn = models.ForeignKey("opd.Asn", verbose_name=_("ASN"), on_delete=models.CASCADE, related_name="records")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="records")
    # Where the ASN belonged that month: a transfer does not move history or TPP.
    opd = models.ForeignKey("opd.Opd", verbose_name=_("OPD that month"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "opd.Unit", verbose_name=_("unit that month"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    atasan = models.ForeignKey(
        "opd.Asn",
        verbose_name=_("appraiser that month"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The jabatan of that month decides whether the teachers' cycle applies to it
    # (empty: not known from the row, the ASN's own is_guru is used).
    is_guru = models.BooleanField(_("teacher that month"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.NOT_STARTED)
    submitted_at = models.DateTimeField(_("first seen submitted"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True, help_text=_("e-Kinerja's waktu_dinilai."))
    rating_hasil = models.PositiveSmallIntegerField(
        _("Rating Hasil Kerja"), choices=Rating.choices, null=True, blank=True
    )
    rating_perilaku = models.PositiveSmallIntegerField(
        _("Rating Perilaku Kerja"), choices=Rating.choices, null=True, blank=True
    )
    predikat_bkn = models.CharField(
        _("BKN's predikat"), max_length=20, choices=Predikat.choices, blank=True, default=""
    )
    predikat_computed = models.GeneratedField(
        expression=predikat_case("rating_hasil", "rating_perilaku"),
        output_field=models.CharField(max_length=20, choices=Predikat.choices),
        db_persist=True,
        verbose_name=_("computed predikat"),
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    edited_by_hand = models.BooleanField(
        _("edited by hand"),
        default=False,
        help_text=_("Set when a person changed this record in the portal rather than a sync or import."),
    )
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["period", "asn"]
        verbose_name = _("monthly record")
        verbose_name_plural = _("monthly records")
        constraints = [
            models.UniqueConstraint(fields=["asn", "period"], name="record_unique_asn_period"),
            models.CheckConstraint(
                condition=(
                    Q(
                        stage=rules.RATED,
                        rated_at__isnull=False,
                        rating_hasil__isnull=False,
                        rating_perilaku__isnull=False,
                    )
                    | (~Q(stage=rules.RATED) & Q(rated_at__isnull=True))
                ),
                name="record_rated_has_time_and_ratings",
                violation_error_message=_(
                    "A rated record needs its rating time and both ratings; an unrated one has no rating time."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rating_hasil__in=[1, 2, 3]) | Q(rating_hasil__isnull=True),
                name="record_rating_hasil_valid",
            ),
            models.CheckConstraint(
                condition=Q(rating_perilaku__in=[1, 2, 3]) | Q(rating_perilaku__isnull=True),
                name="record_rating_perilaku_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "opd"]),
            models.Index(fields=["period", "unit"]),
            # "Data last synced" on every page: the latest sync of one OPD.
            models.Index(fields=["opd", "last_synced_at"]),
            # Covers what a period's lists and counts read of each record, so
            # PostgreSQL answers them from the index alone (SQLite ignores `include`).
            models.Index(fields=["period", "asn"], include=["id", "opd", "rated_at"], name="record_period_asn_cover"),
        ]

    def __str__(self):
        # Read in the admin panel and the audit trail (hand edits: syncs write no trail), so its two lookups are cheap.
        return f"{self.asn.nama}, {self.period.label}"

    @property
    def predikat(self) -> str | None:
        """BKN's value when BKN gave one, else the computed one."""
        return rules.predikat_shown(self.predikat_bkn, self.predikat_computed)

    @property
    def predikat_mismatch(self) -> bool:
        return bool(self.predikat_bkn and self.predikat_computed and self.predikat_bkn != self.predikat_computed)

    @property
    def manual_teacher_entry(self) -> bool:
        """A teacher's record typed in by a person: a warning sign, not compliance."""
        return self.asn.is_guru and (self.edited_by_hand or self.source == Source.MANUAL)

    @property
    def month_is_guru(self) -> bool:
        """A teacher that month: the record's own jabatan when known, else the ASN's."""
        return self.asn.is_guru if self.is_guru is None else self.is_guru

    def status(self, as_of: dt.datetime, *, exempt: bool | None = None) -> str:
        """Status at `as_of` (pass `exempt` when the caller already knows it)."""
        if exempt is None:
            exempt = Exemption.objects.overlapping(self.period).filter(asn_id=self.asn_id).exists()
        return rules.status_of(rated_at=self.rated_at, deadline=self.period.deadline, as_of=as_of, exempt=exempt)

    def stage_at(self, as_of: dt.datetime) -> str:
        return rules.stage_at(stage=self.stage, rated_at=self.rated_at, submitted_at=self.submitted_at, as_of=as_of)


class RecordPayload(models.Model):
    """The raw source row behind a record, kept apart so lists never read it."""

    record = models.OneToOneField(MonthlyRecord, primary_key=True, on_delete=models.CASCADE, related_name="payload")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"), auto_now=True)

    class Meta:
        verbose_name = _("raw payload")
        verbose_name_plural = _("raw payloads")

    def __str__(self):
        return f"{self.source} {self.record_id}"


class ExemptionQuerySet(models.QuerySet):
    def overlapping(self, period: Period):
        """Exemptions that touch any day of the period's month."""
        return self.filter(exemption_overlaps(period.start_date, period.end_date))


class Exemption(models.Model):
    """A span in which an ASN is not expected to file (cuti besar, tugas belajar…)."""

    class Kind(models.TextChoices):
        CUTI_BESAR = "cuti_besar", _("Long leave (cuti besar)")
        CUTI_MELAHIRKAN = "cuti_melahirkan", _("Maternity leave")
        CUTI_SAKIT = "cuti_sakit", _("Sick leave")
        CLTN = "cltn", _("Unpaid leave (CLTN)")
        TUGAS_BELAJAR = "tugas_belajar", _("Study assignment (tugas belajar)")
        PENSIUN = "pensiun", _("Retired")
        MUTASI_KELUAR = "mutasi_keluar", _("Transferred out of the regency")
        MENINGGAL = "meninggal", _("Deceased")
        LAINNYA = "lainnya", _("Other")

    asn = models.ForeignKey("opd.Asn", verbose_name=_("ASN"), on_delete=models.CASCADE, related_name="exemptions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty if it has no end yet."))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="exemption_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]
        indexes = [models.Index(fields=["asn", "start"])]

    def __str__(self):
        return f"{self.get_kind_display()} {formats.date_format(self.start, 'DATE_FORMAT')}"


class AnnualSkp(models.Model):
    """One ASN's annual SKP: the approved plan and whether the result reached SIASN."""

    asn = models.ForeignKey("opd.Asn", verbose_name=_("ASN"), on_delete=models.CASCADE, related_name="annual_skps")
    year = models.PositiveSmallIntegerField(_("year"))
    plan_status = models.CharField(_("plan status in e-Kinerja"), max_length=40, blank=True)
    plan_approved = models.BooleanField(
        _("plan approved"), default=False, help_text=_("An ASN without an approved plan is flagged.")
    )
    bkn_skp_id = models.CharField(_("e-Kinerja SKP id"), max_length=64, blank=True)
    periode_awal = models.DateField(
        _("service starts"),
        null=True,
        blank=True,
        help_text=_("The earliest periode_awal among the year's plans: the ASN files from that month on."),
    )
    sent_to_siasn = models.BooleanField(_("reached SIASN"), default=False)
    rating_hasil = models.PositiveSmallIntegerField(
        _("Rating Hasil Kerja"), choices=Rating.choices, null=True, blank=True
    )
    rating_perilaku = models.PositiveSmallIntegerField(
        _("Rating Perilaku Kerja"), choices=Rating.choices, null=True, blank=True
    )
    predikat = models.CharField(_("predikat"), max_length=20, choices=Predikat.choices, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual SKP")
        verbose_name_plural = _("annual SKP")
        constraints = [models.UniqueConstraint(fields=["asn", "year"], name="annual_skp_unique_asn_year")]

    def __str__(self):
        return f"{self.asn.nama}, {self.year}"


class StatusRollup(models.Model):
    """Counts per period, OPD, unit and teacher group, kept exact by every write path.

    For one period and one moment all unrated records are either pending or
    overdue, so the counts hold at any time after the ratings they count:
    `unrated` is split into pending/overdue when read. Regency pages and trends
    read these rows instead of aggregating every record (skp/rollup.py).
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="rollups")
    opd = models.ForeignKey("opd.Opd", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("opd.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    is_guru = models.BooleanField()
    total = models.PositiveIntegerField(default=0)
    exempt = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    unrated = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("status rollup")
        verbose_name_plural = _("status rollups")
        indexes = [models.Index(fields=["period", "opd"])]

    def __str__(self):
        return f"{self.period_id}/{self.opd_id}/{self.unit_id}/{self.is_guru}"


class SyncRun(models.Model):
    """One run of the sync from BKN: what it did, what failed, who or what started it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTLY_FAILED = "partly_failed", _("Partly failed")
        FAILED = "failed", _("Failed")
        # Still "running" long after any task may run: its worker was killed mid-way (ops marks it).
        ABANDONED = "abandoned", _("Abandoned (stopped mid-way)")
        # An import-only installation's scheduled sync: neither BKN nor the simulator to ask (not a failure).
        NOT_CONFIGURED = "not_configured", _("Not configured")

    source = models.CharField(_("source"), max_length=12)
    period_key = models.CharField(_("period"), max_length=7)
    opd_kode = models.CharField(_("OPD"), max_length=32, blank=True)
    triggered_by = models.CharField(_("started by"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    errors = models.JSONField(_("errors per NIP"), default=list, blank=True)
    notes = models.JSONField(_("for BKPSDM to check"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        indexes = [models.Index(fields=["status", "-finished_at"])]

    def __str__(self):
        return f"{self.source_label}, {Period.label_of(self.period_key)}: {self.get_status_display()}"

    @property
    def source_label(self) -> str:
        return str(dict(Source.choices).get(self.source, self.source))
