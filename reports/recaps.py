"""The monthly recaps (one OPD, or the whole regency) and the TPP basis as documents: PDF and .xlsx."""

import datetime as dt
from itertools import groupby

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from opd.access import EVERYONE
from opd.models import Opd
from skp import rules
from skp.appraisers import appraiser_ranking
from skp.charts import TREND_SERIES, trend_chart
from skp.models import Period, Predikat
from skp.selectors import RowFilters, compliance_rows, recent_periods, with_names
from skp.summaries import opd_ranking, period_summary, trend
from tpp.selectors import Basis

from .exports import Sheet, pdf_bytes, pdf_in_parts, xlsx_bytes

GROUPS = [(key, label) for key, label, _css in TREND_SERIES]


def _when(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def _month(period: Period) -> str:
    return formats.date_format(period.start_date, "F Y")


def _predikat(code: str | None) -> str:
    return Predikat(code).label if code in Predikat.values else ""


def opd_recap_context(*, period: Period, opd: Opd, as_of: dt.datetime) -> dict:
    """Everything the OPD recap shows: counts, the trend, every ASN by unit, who signs."""
    rows = (
        with_names(
            compliance_rows(period=period, as_of=as_of, scope=EVERYONE, filters=RowFilters(opd_id=opd.pk), names=False),
            "unit",
        )
        .order_by("month_unit_nama", "nama", "nip")
        # A teacher that month (by that month's jabatan), whose row follows their cycle period.
        .values(
            "nip",
            "nama",
            "jabatan",
            "month_unit_nama",
            "status",
            "rated_at_then",
            "predikat_then",
            "month_is_guru",
        )
    )
    units = [
        (unit or _("No unit"), list(members)) for unit, members in groupby(rows, key=lambda r: r["month_unit_nama"])
    ]
    summary = period_summary(period, now=as_of, opd_ids={opd.pk})
    points = trend(recent_periods(year=period.year, month=period.month), now=as_of, opd_ids={opd.pk})
    return {
        "period": period,
        "opd": opd,
        "head": opd.head,
        "summary": summary,
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        "groups": GROUPS,
        "chart": trend_chart(points, TREND_SERIES),
        "units": units,
        "total": sum(len(m) for _u, m in units),
        # Every appraiser with staff of this OPD waiting for their rating, the most first.
        "appraisers": appraiser_ranking(period=period, as_of=as_of, opd_id=opd.pk),
        "as_of": as_of,
        "printed_at": timezone.now(),
    }


def opd_recap_pdf(**kwargs) -> bytes:
    context = opd_recap_context(**kwargs)
    return pdf_in_parts("reports/pdf/opd_recap.html", context, context["units"])


def _recap_heading(context: dict, *titles: str) -> list[str]:
    """The rows above a recap's table: the regency, the titles, the deadline and when the data was read."""
    return [
        _("GOVERNMENT OF KAPUAS REGENCY"),
        *titles,
        _("Deadline: %(deadline)s") % {"deadline": _when(context["period"].deadline)},
        _("Data as of %(moment)s") % {"moment": _when(context["as_of"])},
    ]


def opd_recap_xlsx(**kwargs) -> bytes:
    c = opd_recap_context(**kwargs)
    period, opd = c["period"], c["opd"]
    heading = _recap_heading(c, opd.nama, _("Monthly SKP reporting recap, %(month)s") % {"month": _month(period)})
    counts = Sheet(
        title=_("Recap"),
        heading=heading,
        columns=[_("Group"), _("ASN"), *[label for _s, label in c["statuses"]], _("On-time rate (%)")],
        rows=[
            [
                str(label),
                c["summary"][key]["total"],
                *[c["summary"][key]["counts"][s] for s, _l in c["statuses"]],
                _rate(c["summary"][key]["rate"]),
            ]
            for key, label, _css in TREND_SERIES
        ],
        widths=[22, 8, 12, 12, 12, 12, 12, 16],
    )
    staff = Sheet(
        title=_("ASN"),
        heading=heading,
        columns=[
            _("Unit"),
            _("NIP"),
            _("Name"),
            _("Position"),
            _("Teacher"),
            _("Status"),
            _("Rated at"),
            _("Predikat"),
        ],
        rows=[
            [
                unit,
                r["nip"],
                r["nama"],
                r["jabatan"],
                _("yes") if r["month_is_guru"] else _("no"),
                str(rules.STATUS_LABELS[r["status"]]),
                r["rated_at_then"],
                _predikat(r["predikat_then"]),
            ]
            for unit, members in c["units"]
            for r in members
        ],
        widths=[30, 20, 30, 28, 8, 14, 18, 16],
    )
    ranking = c["appraisers"]
    appraisers = Sheet(
        title=_("Appraisers"),
        heading=heading,
        columns=[_("Rank"), _("NIP"), _("Appraiser"), _("OPD of the appraiser"), _("Staff waiting for the rating")],
        rows=[[i, r["nip"], r["nama"], r["opd_nama"], r["waiting"]] for i, r in enumerate(ranking["rows"], start=1)]
        + ([[None, "", _("No appraiser known"), "", ranking["unknown"]]] if ranking["unknown"] else []),
        widths=[8, 20, 34, 34, 16],
    )
    return xlsx_bytes([counts, staff, appraisers])


def _rate(rate) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def regency_recap_context(*, period: Period, as_of: dt.datetime) -> dict:
    ranking = opd_ranking(period, now=as_of, opds=Opd.objects.filter(is_active=True))
    points = trend(recent_periods(year=period.year, month=period.month), now=as_of)
    return {
        "period": period,
        "ranking": ranking,
        "summary": period_summary(period, now=as_of),
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        "groups": GROUPS,
        "chart": trend_chart(points, TREND_SERIES),
        "as_of": as_of,
        "printed_at": timezone.now(),
    }


def regency_recap_pdf(**kwargs) -> bytes:
    return pdf_bytes("reports/pdf/regency_recap.html", regency_recap_context(**kwargs))


def regency_recap_xlsx(**kwargs) -> bytes:
    c = regency_recap_context(**kwargs)
    heading = _recap_heading(
        c, _("Monthly SKP reporting recap of every OPD, %(month)s") % {"month": _month(c["period"])}
    )
    sheet = Sheet(
        title=_("Recap"),
        heading=heading,
        columns=[
            _("Rank"),
            _("Code"),
            _("OPD"),
            _("ASN"),
            *[label for _s, label in c["statuses"]],
            _("On-time rate (%)"),
            _("Teachers' on-time rate (%)"),
        ],
        rows=[
            [
                i,
                r["opd"].kode,
                r["opd"].nama,
                r["all"]["total"],
                *[r["all"]["counts"][s] for s, _l in c["statuses"]],
                _rate(r["all"]["rate"]),
                _rate(r["guru"]["rate"]),
            ]
            for i, r in enumerate(c["ranking"], start=1)
        ],
        widths=[6, 14, 40, 8, 12, 12, 12, 12, 12, 14, 14],
    )
    return xlsx_bytes([sheet])


# --- TPP basis ----------------------------------------------------------------


def tpp_context(basis: Basis) -> dict:
    units = [(unit or _("No unit"), list(lines)) for unit, lines in groupby(basis.lines, key=lambda line: line.unit)]
    return {
        "basis": basis,
        "period": basis.period,
        "opd": basis.opd,
        "head": basis.opd.head,
        "units": units,
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        "printed_at": timezone.now(),
    }


def tpp_pdf(basis: Basis) -> bytes:
    context = tpp_context(basis)
    return pdf_in_parts("reports/pdf/tpp_basis.html", context, context["units"])


def tpp_xlsx(basis: Basis) -> bytes:
    state = (
        _("FINAL, version %(version)s, finalised %(moment)s")
        % {"version": basis.finalisation.version, "moment": _when(basis.finalisation.finalised_at)}
        if basis.is_final
        else _("DRAFT: not finalised, may still change")
    )
    sheet = Sheet(
        title=_("TPP basis"),
        heading=[
            _("GOVERNMENT OF KAPUAS REGENCY"),
            basis.opd.nama,
            _("Basis of the TPP performance component, %(month)s") % {"month": _month(basis.period)},
            state,
            _("Rule table: %(table)s") % {"table": str(basis.ruleset) if basis.ruleset else "–"},
        ],
        columns=[
            _("Unit"),
            _("NIP"),
            _("Name"),
            _("Status"),
            _("Predikat"),
            _("Rated at"),
            _("Share paid (%)"),
            _("Why"),
        ],
        rows=[
            [
                line.unit,
                line.nip,
                line.nama,
                str(rules.STATUS_LABELS[line.status]),
                _predikat(line.predikat),
                line.rated_at,
                float(line.share) if line.share is not None else line.reason,
                line.reason,
            ]
            for line in basis.lines
        ],
        widths=[30, 20, 30, 14, 16, 18, 12, 60],
    )
    return xlsx_bytes([sheet])


def tpp_json(basis: Basis) -> dict:
    """The `tpp --format json` contract."""
    final = basis.finalisation
    return {
        "period": basis.period.key,
        "opd": basis.opd.kode,
        "final": basis.is_final,
        "version": final.version if final else None,
        "finalised_at": final.finalised_at.astimezone(rules.WIB).isoformat() if final else None,
        "rule_table": str(basis.ruleset) if basis.ruleset else None,
        "as_of": basis.as_of.astimezone(rules.WIB).isoformat() if basis.as_of else None,
        "rows": [
            {
                "nip": line.nip,
                "nama": line.nama,
                "unor": line.unit,
                "is_guru": line.is_guru,
                "status": line.status,
                "predikat": line.predikat or None,
                "rated_at": line.rated_at.astimezone(rules.WIB).isoformat() if line.rated_at else None,
                "share": float(line.share) if line.share is not None else None,  # null: not yet due
                "reason": line.reason,
            }
            for line in basis.lines
        ],
    }


# --- annual SKP -----------------------------------------------------------------


def annual_rows(*, opd: Opd, year: int):
    """Every active ASN of the OPD with their annual SKP of `year`: plan approved, reached SIASN, predikat."""
    from django.db.models import FilteredRelation, Q

    from opd.models import Asn

    return (
        Asn.objects.expected_to_file()  # not an appraiser known only from someone's BKN row
        .filter(opd=opd)
        .annotate(skp=FilteredRelation("annual_skps", condition=Q(annual_skps__year=year)))
        .order_by("unit__nama", "nama", "nip")
        .values("pk", "nip", "nama", "unit__nama", "skp__plan_approved", "skp__sent_to_siasn", "skp__predikat")
    )


def annual_recap_context(*, opd: Opd, year: int) -> dict:
    rows = list(annual_rows(opd=opd, year=year))
    units = [(unit or _("No unit"), list(m)) for unit, m in groupby(rows, key=lambda r: r["unit__nama"])]
    return {
        "opd": opd,
        "head": opd.head,
        "year": year,
        "units": units,
        "total": len(rows),
        "reached": sum(1 for r in rows if r["skp__sent_to_siasn"]),
        "printed_at": timezone.now(),
    }


def annual_recap_pdf(*, opd: Opd, year: int) -> bytes:
    context = annual_recap_context(opd=opd, year=year)
    return pdf_in_parts("reports/pdf/annual_recap.html", context, context["units"])
