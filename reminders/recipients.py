"""Reads: who gets which scheduled message, with what in it. A fixed number of queries per occasion."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from opd.access import EVERYONE
from opd.models import Asn, Opd, User
from skp import rules
from skp.models import Period
from skp.selectors import compliance_rows, with_names
from skp.summaries import opd_ranking, period_summary

from .models import Kind, Message, Unsubscription

# A digest lists this many names; the rest are counted and one click away.
DIGEST_ROWS = 300


@dataclass
class Recipient:
    """One person a message goes to: an ASN, or a login that belongs to no ASN (the Bupati)."""

    key: str
    name: str
    email: str = ""
    phone: str = ""
    asn_id: int | None = None
    user_id: int | None = None
    nip: str = ""
    has_login: bool = True


@dataclass
class Draft:
    """A message to render: its recipient, the OPD it concerns and what the template needs."""

    recipient: Recipient
    opd_id: int | None = None
    context: dict = field(default_factory=dict)


def has_login():
    return Exists(User.objects.filter(asn_id=OuterRef("pk"), is_active=True))


def asn_recipient(values: dict) -> Recipient:
    return Recipient(
        key=f"asn{values['pk']}",
        name=values["nama"],
        email=values["email"],
        phone=values["phone"],
        asn_id=values["pk"],
        nip=values["nip"],
        has_login=values["has_login"],
    )


def user_recipient(user: User) -> Recipient:
    asn = user.asn
    if asn is not None:
        return Recipient(
            key=f"asn{asn.pk}",
            name=asn.nama,
            email=user.email or asn.email,
            phone=asn.phone,
            asn_id=asn.pk,
            user_id=user.pk,
            nip=asn.nip,
        )
    return Recipient(
        key=f"user{user.pk}", name=user.get_full_name() or user.username, email=user.email, user_id=user.pk
    )


def on_this_months_schedule(rows, period: Period):
    """Leave out teachers whose cycle period does not end with this month (DESIGN.md "Teachers report through
    Ruang GTK"): they are reminded on their cycle's schedule, i.e. with the month that ends it, whose deadline
    is their cycle period's (the 15th of the next month), not every month."""
    cycle = period.teacher_period()
    if cycle is None or cycle.month == period.month:
        return rows
    return rows.exclude(month_is_guru=True)


def asn_reminders(period: Period, as_of: dt.datetime) -> list[Draft]:
    """Every ASN not yet rated while the deadline is open (exempt and rated ones never), minus the unsubscribed.

    Not those who have filed and whose appraiser is known: the rating is the
    appraiser's to give, and the appraiser's digest lists them (DESIGN.md,
    "Who must act gets the message"); a junior is not asked to chase their superior.
    """
    rows = (
        on_this_months_schedule(compliance_rows(period=period, as_of=as_of, scope=EVERYONE, names=False), period)
        .filter(status=rules.PENDING)
        .exclude(stage_then=rules.SUBMITTED, month_atasan_id__isnull=False)
        .annotate(
            has_login=has_login(),
            unsubscribed=Exists(Unsubscription.objects.filter(asn_id=OuterRef("pk"), kind=Kind.ASN_REMINDER)),
        )
        .filter(unsubscribed=False)
        .order_by("pk")
        .values("pk", "nip", "nama", "email", "phone", "has_login", "stage_then", "month_opd_id")
    )
    return [
        Draft(recipient=asn_recipient(r), opd_id=r["month_opd_id"], context={"stage": r["stage_then"]}) for r in rows
    ]


def atasan_digests(period: Period, as_of: dt.datetime) -> list[Draft]:
    """One digest per appraiser: their staff waiting for their rating, then those who have not filed.

    The appraiser is that month's (record.atasan), or the ASN's current one
    (Asn.atasan) for someone with no record yet (compliance_rows' month_atasan_id).
    """
    rows = (
        on_this_months_schedule(
            with_names(compliance_rows(period=period, as_of=as_of, scope=EVERYONE, names=False), "unit"), period
        )
        .filter(status=rules.PENDING, month_atasan_id__isnull=False)
        .order_by("month_atasan_id", "nama", "nip")
        .values("nip", "nama", "jabatan", "stage_then", "month_unit_nama", "month_atasan_id", "month_opd_id")
    )
    staff: dict[int, list[dict]] = {}
    for row in rows:
        staff.setdefault(row["month_atasan_id"], []).append(row)
    appraisers = (
        Asn.objects.filter(pk__in=staff)
        .annotate(has_login=has_login())
        .values("pk", "nip", "nama", "email", "phone", "has_login", "opd_id")
    )
    drafts = []
    for a in appraisers.order_by("pk"):
        listed = staff[a["pk"]]
        waiting = [r for r in listed if r["stage_then"] == rules.SUBMITTED]
        not_filed = [r for r in listed if r["stage_then"] != rules.SUBMITTED]
        drafts.append(
            Draft(
                recipient=asn_recipient(a),
                opd_id=a["opd_id"],
                context={
                    "waiting": waiting[:DIGEST_ROWS],
                    "not_filed": not_filed[:DIGEST_ROWS],
                    "total": len(listed),
                    "filed": len(waiting),
                    "not_filed_total": len(not_filed),
                },
            )
        )
    return drafts


def opd_digests(period: Period, as_of: dt.datetime) -> list[Draft]:
    """For each OPD with anyone overdue, to its heads: the staff waiting for each appraiser's rating
    (appraisers with the most first), then the ASN who have not filed, by unit."""
    rows = (
        on_this_months_schedule(
            with_names(compliance_rows(period=period, as_of=as_of, scope=EVERYONE, names=False), "unit", "atasan"),
            period,
        )
        .filter(status=rules.OVERDUE)
        .order_by("month_opd_id", "month_unit_nama", "nama", "nip")
        .values(
            "nip",
            "nama",
            "jabatan",
            "must_act",
            "month_unit_nama",
            "month_atasan_id",
            "month_atasan_nama",
            "month_opd_id",
        )
    )
    by_opd: dict[int, list[dict]] = {}
    for row in rows:
        by_opd.setdefault(row["month_opd_id"], []).append(row)
    heads = _opd_heads(set(by_opd))
    drafts = []
    for opd in Opd.objects.filter(pk__in=by_opd).order_by("pk"):
        listed = by_opd[opd.pk]
        filed = [r for r in listed if r["must_act"] == rules.MUST_ACT_ATASAN]
        not_filed = [r for r in listed if r["must_act"] == rules.MUST_ACT_ASN]
        appraisers: dict[int | None, dict] = {}
        for row in filed:
            group = appraisers.setdefault(row["month_atasan_id"], {"nama": row["month_atasan_nama"], "staff": []})
            group["staff"].append(row)
        ranked = sorted(appraisers.values(), key=lambda g: (-len(g["staff"]), g["nama"] is None, g["nama"] or ""))
        shown = 0
        for group in ranked:
            group["total"] = len(group["staff"])
            group["staff"] = group["staff"][: max(DIGEST_ROWS - shown, 0)]
            shown += len(group["staff"])
        units: dict[str, list[dict]] = {}
        for row in not_filed[: max(DIGEST_ROWS - shown, 0)]:
            units.setdefault(row["month_unit_nama"] or "", []).append(row)
            shown += 1
        context = {
            "opd": opd,
            "appraisers": ranked,
            "units": units,
            "total": len(listed),
            "shown": shown,
            "asn_acts": len(not_filed),
            "atasan_acts": len(filed),
        }
        for recipient in heads.get(opd.pk, []):
            drafts.append(Draft(recipient=recipient, opd_id=opd.pk, context=context))
    return drafts


def _opd_heads(opd_ids: set[int]) -> dict[int, list[Recipient]]:
    """The Kepala OPD and operators of each OPD (logins), and the head the data names, once each."""
    heads: dict[int, dict[str, Recipient]] = {pk: {} for pk in opd_ids}
    users = User.objects.filter(role__in=User.OPD_ROLES, opd_id__in=opd_ids, is_active=True).select_related("asn")
    for user in users.order_by("pk"):
        recipient = user_recipient(user)
        heads[user.opd_id].setdefault(recipient.key, recipient)
    named = (
        Asn.objects.filter(headed_opds__in=opd_ids)
        .annotate(has_login=has_login())
        .values("pk", "nip", "nama", "email", "phone", "has_login", "headed_opds")
    )
    for values in named:
        heads[values["headed_opds"]].setdefault(f"asn{values['pk']}", asn_recipient(values))
    return {pk: list(found.values()) for pk, found in heads.items()}


def regency_ranking(period: Period, as_of: dt.datetime) -> dict:
    """Every OPD ranked by on-time rate (from the rollup), with the regency's totals."""
    # The messages list OPD with anyone expected to file, with their overall counts.
    ranking = [
        {"opd": r["opd"], **r["all"]}
        for r in opd_ranking(period, now=as_of, opds=Opd.objects.filter(is_active=True))
        if r["all"]["total"]
    ]
    summary = period_summary(period, now=as_of)
    return {
        "ranking": ranking,
        "summary": summary["all"],
        "guru": summary["guru"],
        "behind": [r for r in ranking if r["counts"][rules.OVERDUE]],
    }


def regency_drafts(kind: str, period: Period, as_of: dt.datetime) -> list[Draft]:
    """The escalation to BKPSDM (only while an OPD is behind) or the summary to pimpinan."""
    context = regency_ranking(period, as_of)
    if kind == Kind.ESCALATION and not context["behind"]:
        return []
    role = User.Role.ADMIN_BKPSDM if kind == Kind.ESCALATION else User.Role.PIMPINAN
    users = User.objects.filter(role=role, is_active=True).select_related("asn").order_by("pk")
    recipients = {}
    for user in users:
        recipient = user_recipient(user)
        recipients.setdefault(recipient.key, recipient)
    return [Draft(recipient=r, context=context) for r in recipients.values()]


def no_working_email(opd_id: int) -> int:
    """ASN of an OPD whom email cannot reach: no address, or their address was refused."""
    refused = Message.objects.filter(
        asn_id=OuterRef("pk"), channel=Message.Channel.EMAIL, status=Message.Status.FAILED, address=OuterRef("email")
    )
    return Asn.objects.filter(opd_id=opd_id, is_active=True).filter(Q(email="") | Exists(refused)).count()
