"""Reads: the TPP basis of an OPD for a period, finalised (frozen rows) or as the data stands now."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from opd.access import EVERYONE
from opd.models import Opd
from skp import rules
from skp.models import Period, Predikat
from skp.selectors import RowFilters, compliance_rows, with_names

from .models import BasisRow, Finalisation, RuleSet, ShareRule


@dataclass(frozen=True)
class BasisLine:
    asn_id: int
    nip: str
    nama: str
    unit: str
    is_guru: bool
    status: str
    predikat: str
    rated_at: dt.datetime | None
    share: Decimal | None  # None: not yet due ("belum jatuh tempo"), never 0 %
    reason: str

    @property
    def not_yet_due(self) -> bool:
        return self.share is None


@dataclass
class Basis:
    period: Period
    opd: Opd
    ruleset: RuleSet | None
    lines: list[BasisLine] = field(default_factory=list)
    finalisation: Finalisation | None = None
    as_of: dt.datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.finalisation is not None

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(rules.STATUSES, 0)
        for line in self.lines:
            counts[line.status] += 1
        return counts

    @property
    def average_share(self) -> Decimal | None:
        """Over the months that are due (a month not yet due is paid by no rule yet)."""
        due = [line.share for line in self.lines if line.share is not None]
        if not due:
            return None
        return (sum(due) / len(due)).quantize(Decimal("0.01"))

    @property
    def not_yet_due(self) -> int:
        return sum(1 for line in self.lines if line.share is None)


def ruleset_for(period: Period) -> RuleSet | None:
    """The rule table in force on the period's first day."""
    return (
        RuleSet.objects.filter(effective_from__lte=period.start_date)
        .prefetch_related("rules")
        .order_by("-effective_from")
        .first()
    )


def share_of(
    ruleset: RuleSet | None, status: str, predikat: str, *, is_guru: bool = False
) -> tuple[Decimal | None, str]:
    """The share paid and why, by the exact rule for (status, predikat), else the status's rule for any predikat.

    Lines for the ASN's group (teachers or non-teachers) win over lines for
    everyone. A month not yet due (pending: a teacher's cycle period still
    open) is paid by no rule yet: None, "not yet due", never 0 %.
    """
    status_label = rules.STATUS_LABELS[status]
    if status == rules.PENDING:
        return None, _("not yet due")
    if ruleset is None:
        return Decimal(0), _("%(status)s; no TPP rule table is in force for this period") % {"status": status_label}
    group = ShareRule.AppliesTo.GURU if is_guru else ShareRule.AppliesTo.NON_GURU
    table = {}
    for line in sorted(ruleset.rules.all(), key=lambda r: r.applies_to != ShareRule.AppliesTo.ALL):
        if line.applies_to in (ShareRule.AppliesTo.ALL, group):
            table[(line.status, line.predikat)] = line.share  # the group's line, read last, wins
    share = table.get((status, predikat or ""))
    if share is None:
        share = table.get((status, ""))
    if share is None:
        return Decimal(0), _("%(status)s; the rule table has no line for it") % {"status": status_label}
    if predikat:
        return share, _("%(status)s, predikat %(predikat)s: %(share)s%% (%(basis)s)") % {
            "status": status_label,
            "predikat": Predikat(predikat).label,
            "share": _number(share),
            "basis": ruleset.legal_basis,
        }
    return share, _("%(status)s: %(share)s%% (%(basis)s)") % {
        "status": status_label,
        "share": _number(share),
        "basis": ruleset.legal_basis,
    }


def _number(share: Decimal) -> str:
    return f"{share.normalize():f}".replace(".", ",")


def finalisation_in_force(period: Period, opd: Opd) -> Finalisation | None:
    if not period.pk:
        return None
    return (
        Finalisation.objects.filter(period=period, opd=opd, reopened_at__isnull=True)
        .select_related("ruleset", "finalised_by")
        .first()
    )


def finalisation_at(period: Period, opd: Opd, moment: dt.datetime) -> Finalisation | None:
    """The version that was in force at `moment` (finalised by then, not yet reopened), if any."""
    if not period.pk:
        return None
    return (
        Finalisation.objects.filter(period=period, opd=opd, finalised_at__lte=moment)
        .filter(Q(reopened_at__isnull=True) | Q(reopened_at__gt=moment))
        .select_related("ruleset", "finalised_by")
        .order_by("-version")
        .first()
    )


def live_basis(*, period: Period, opd: Opd, as_of: dt.datetime) -> Basis:
    """Every ASN of the OPD that month, with status, predikat and share as the data stands at `as_of`."""
    ruleset = ruleset_for(period)
    rows = (
        with_names(
            compliance_rows(period=period, as_of=as_of, scope=EVERYONE, filters=RowFilters(opd_id=opd.pk), names=False),
            "unit",
        )
        .order_by("month_unit_nama", "nama", "nip")
        .values("pk", "nip", "nama", "month_unit_nama", "month_is_guru", "status", "predikat_then", "rated_at_then")
    )
    lines = []
    for r in rows:
        # A teacher's month by its cycle period (compliance_rows): its status and predikat.
        r["is_guru"] = r["month_is_guru"]
        share, reason = share_of(ruleset, r["status"], r["predikat_then"] or "", is_guru=r["is_guru"])
        lines.append(
            BasisLine(
                asn_id=r["pk"],
                nip=r["nip"],
                nama=r["nama"],
                unit=r["month_unit_nama"] or "",
                is_guru=r["is_guru"],
                status=r["status"],
                predikat=r["predikat_then"] or "",
                rated_at=r["rated_at_then"],
                share=share,
                reason=reason,
            )
        )
    return Basis(period=period, opd=opd, ruleset=ruleset, lines=lines, as_of=as_of)


def final_basis(finalisation: Finalisation) -> Basis:
    lines = [
        BasisLine(
            asn_id=row.asn_id,
            nip=row.nip,
            nama=row.nama,
            unit=row.unit,
            is_guru=row.is_guru,
            status=row.status,
            predikat=row.predikat,
            rated_at=row.rated_at,
            share=row.share,
            reason=row.reason,
        )
        for row in BasisRow.objects.filter(finalisation=finalisation).order_by("unit", "nama", "nip")
    ]
    return Basis(
        period=finalisation.period,
        opd=finalisation.opd,
        ruleset=finalisation.ruleset,
        lines=lines,
        finalisation=finalisation,
        as_of=finalisation.as_of,
    )


def basis_for(*, period: Period, opd: Opd, as_of: dt.datetime) -> Basis:
    """The finalised basis when there is one in force (frozen), else the live one."""
    finalisation = finalisation_in_force(period, opd)
    if finalisation is not None:
        return final_basis(finalisation)
    return live_basis(period=period, opd=opd, as_of=as_of)


def regency_status(period: Period) -> dict[int, Finalisation]:
    """The finalisation in force of each OPD for the period (one query)."""
    if not period.pk:
        return {}
    return {
        f.opd_id: f
        for f in Finalisation.objects.filter(period=period, reopened_at__isnull=True).select_related("finalised_by")
    }
