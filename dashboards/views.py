"""Thin views: read the scope, call selectors, render. HTMX requests get the list only.

These pages combine skp's statuses with reminders' nudges and helpdesk's open tickets,
so they live on top of those apps (tests/test_import_graph.py)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from helpdesk.selectors import open_count as open_ticket_count
from opd.access import Scope, get_asn_or_404, opd_that, request_scope, scope_that
from opd.models import AccessLog, Asn, Opd, Unit
from opd.services import log_access
from reminders.recipients import no_working_email
from reminders.services import last_appraiser_nudges, last_reminded
from skp import rules
from skp.appraisers import appraiser_ranking, own_pending_ratings
from skp.charts import TREND_SERIES, trend_chart
from skp.models import TeacherCycle
from skp.pagecache import cached_parts, dashboard_keys
from skp.periods import chosen_period, period_choices, period_context
from skp.selectors import (
    RowFilters,
    asn_history,
    chased_month,
    compliance_rows,
    compliance_summary,
    heads_waiting,
    last_synced_at,
    listed_rows,
    page_of,
    period_for,
    unrated_by_stage,
    with_names,
)
from skp.summaries import opd_ranking, period_summary, trend, unit_summaries
from skp.templatetags.kinerja import query_with

PAGE_SIZE = 50
APPRAISERS_ON_DASHBOARD = 20  # the appraisers with the most staff waiting; the recap lists them all
UNITS_ON_DASHBOARD = 10  # the rest are one click away, on the unit page
UNITS_IN_FILTER = 150

# ?urut= values: the default puts who is overdue, then late, first.
SORTS = {
    "status": ("status_order", "nama", "nip"),
    "nama": ("nama", "nip"),
    "unit": ("month_unit_nama", "nama"),
    "dinilai": ("rated_at_then", "nama"),
}
SORT_LABELS = {
    "status": gettext_lazy("Status"),
    "nama": gettext_lazy("Name"),
    "unit": gettext_lazy("Unit"),
    "dinilai": gettext_lazy("Rated at"),
}


# The sort select of the filter form (the control a phone has; desktop also has the column headers).
SORT_CHOICES = [
    ("status", gettext_lazy("Status, overdue first")),
    ("-status", gettext_lazy("Status, exempt first")),
    ("nama", gettext_lazy("Name, A to Z")),
    ("-nama", gettext_lazy("Name, Z to A")),
    ("unit", gettext_lazy("Unit, A to Z")),
    ("-unit", gettext_lazy("Unit, Z to A")),
    ("-dinilai", gettext_lazy("Rated at, latest first")),
    ("dinilai", gettext_lazy("Rated at, earliest first")),
]

# ?status= beyond the five statuses: "perlu", whoever must still act (not rated yet: overdue or
# pending, the rows that show who must act and a reminder button), and "semua", everyone.
MUST_ACT = "perlu"
EVERYONE = "semua"


@dataclass(frozen=True)
class ListParams:
    filters: RowFilters
    sort: str
    page: str
    form: dict


def _list_params(request, *, opd_id=None, default_status: str = EVERYONE) -> ListParams:
    q = request.GET
    status = q.get("status", "")
    if status not in (*rules.STATUSES, MUST_ACT, EVERYONE):
        status = default_status  # none asked for (or an unknown word): the list's default
    is_guru = {"1": True, "0": False}.get(q.get("guru", ""))
    kind = q.get("jenis") if q.get("jenis") in Asn.Kind.values else None
    unit_id = int(q["unit"]) if q.get("unit", "").isdigit() else None
    text = q.get("q", "").strip()[:50]
    sort = q.get("urut", "status")
    if sort.lstrip("-") not in SORTS:
        sort = "status"
    return ListParams(
        filters=RowFilters(
            opd_id=opd_id,
            unit_id=unit_id,
            status=status if status in rules.STATUSES else None,
            statuses=rules.UNRATED if status == MUST_ACT else (),
            is_guru=is_guru,
            kind=kind,
            text=text,
        ),
        sort=sort,
        page=q.get("halaman", "1"),
        form={
            "status": status,
            "guru": q.get("guru", ""),
            "jenis": kind or "",
            "unit": unit_id,
            "q": text,
            "urut": sort,
            # The secondary filters (a closed <details> on the page) open when one of them is in use.
            "more": bool(unit_id or is_guru is not None or kind or text),
        },
    )


def _ordered(rows, sort: str):
    descending = sort.startswith("-")
    fields = SORTS[sort.lstrip("-")]
    # Unrated rows (no rating time) go last whichever way the list is sorted.
    return rows.order_by(*(F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields))


def _freshness(opd_id=None):
    synced = last_synced_at(opd_id=opd_id)
    stale = synced is None or (timezone.now() - synced).total_seconds() > settings.SYNC_STALE_AFTER_HOURS * 3600
    return {"synced_at": synced, "stale": stale}


def _sort_links(request, current: str) -> dict[str, dict]:
    """Header links: a click sorts by that column, a second click reverses it."""
    links = {}
    for key, label in SORT_LABELS.items():
        state = "ascending" if current == key else "descending" if current == f"-{key}" else None
        links[key] = {
            "href": query_with(request.GET, urut=f"-{key}" if current == key else key),
            "label": label,
            "arrow": {"ascending": " ↑", "descending": " ↓"}.get(state, ""),
            "aria": format_html(' aria-sort="{}"', state) if state else "",
        }
    return links


def _list_context(*, request, period, now, scope, params: ListParams, staff_only: bool = False) -> dict:
    # Pick the page on light rows (the unit's name only when sorting by it), then load its 50 in full.
    sortable = compliance_rows(period=period, as_of=now, scope=scope, filters=params.filters, names=False, detail=False)
    if staff_only:
        sortable = sortable.filter(scope.staff_rows_q())
    if params.sort.lstrip("-") == "unit":
        sortable = with_names(sortable, "unit")
    return {
        "page": page_of(
            _ordered(sortable, params.sort),
            params.page,
            PAGE_SIZE,
            load=lambda pks: listed_rows(pks, period=period, as_of=now),
        ),
        "sort_links": _sort_links(request, params.sort),
        **_filter_choices(params),
    }


def _filter_choices(params: ListParams) -> dict:
    return {
        "filters": params.form,
        "statuses": [(s, rules.STATUS_LABELS[s]) for s in rules.STATUSES],
        "must_act": MUST_ACT,
        "everyone": EVERYONE,
        "kinds": Asn.Kind.choices,
        "sorts": SORT_CHOICES,
    }


def _summary_cards(group: dict) -> list[tuple[str, str, int]]:
    return [(s, rules.STATUS_LABELS[s], group["counts"][s]) for s in rules.STATUSES]


GROUPS = [(key, label) for key, label, _css in TREND_SERIES]


def _dashboard_opd(request, kode):
    """The scope and the OPD of a dashboard page: 403 for roles that never open one, 404 out of scope."""
    return opd_that(request, kode, Scope.opens_opd_pages)


def _is_list_swap(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@login_required
@vary_on_headers("HX-Request")
def opd_detail(request, kode):
    """The Kepala OPD's page: who is late this period, who must act, how the OPD trends."""
    scope, opd = _dashboard_opd(request, kode)
    period, period_error = chosen_period(request)
    now = timezone.now()
    can_nudge = bool(scope.nudges_opd(opd.pk) and period.pk)
    keys = dashboard_keys(
        request, opd=opd, period=period, chased=period_choices(request)[0], now=now, can_nudge=can_nudge
    )

    def build(names):
        return _opd_parts(request, scope, opd, period, now, can_nudge, names)

    if _is_list_swap(request):  # the list alone
        return HttpResponse(cached_parts({"list": keys["list"]}, build)["list"])
    parts = cached_parts(keys, build)
    context = {
        "opd": opd,
        "parts": parts,
        "can_nudge": can_nudge,
        **period_context(request, period, period_error, now),
        "open_tickets": open_ticket_count(opd.pk),
        **_freshness(opd.pk),
    }
    return render(request, "dashboards/opd_detail.html", context, status=400 if period_error else 200)


def _opd_parts(request, scope, opd, period, now, can_nudge: bool, names: set[str]) -> dict:
    """The named parts of the dashboard that every viewer sees alike, rendered without the viewer's context.

    "list": the list of ASN; "filters": its form; "page": the summary, trend
    and units (and counts the page uses). Whoever may open the dashboard sees
    the whole OPD (get_opd_or_404), so the rows do not depend on the viewer's
    scope. No context processors run here, so no CSRF token, menu or message
    can slip into a part another viewer is served.
    """
    # By default the list holds those who must still act: the Kepala's work, not the whole OPD.
    params = _list_params(request, opd_id=opd.pk, default_status=MUST_ACT)
    # The request for the list's links and the filters' form, which keep the address's filters.
    context = {"request": request, "opd": opd, "period": period, "can_nudge": can_nudge}
    template = "dashboards/opd_detail.html#"
    parts = {}
    if "list" in names:
        listed = _list_context(request=request, period=period, now=now, scope=scope, params=params)
        if can_nudge:
            listed["nudged"] = last_reminded(listed["page"], period=period)
        parts["list"] = render_to_string(template + "record-list", {**context, **listed})
    unit_count = Unit.objects.filter(opd=opd).count() if names & {"filters", "page"} else 0
    if "filters" in names:
        # A select of thousands of schools helps nobody: past that, units are
        # picked on the unit page (the drill-down), which links back here.
        units = {
            "units": list(Unit.objects.filter(opd=opd).order_by("nama").only("pk", "nama"))
            if unit_count <= UNITS_IN_FILTER
            else None,
            "chosen_unit": Unit.objects.filter(opd=opd, pk=params.filters.unit_id).first()
            if params.filters.unit_id and unit_count > UNITS_IN_FILTER
            else None,
        }
        parts["filters"] = render_to_string(template + "filters", {**context, **_filter_choices(params), **units})
    if "appraisers" in names:
        ranking = appraiser_ranking(period=period, as_of=now, opd_id=opd.pk, limit=APPRAISERS_ON_DASHBOARD)
        if can_nudge:
            nudged = last_appraiser_nudges([r["atasan_id"] for r in ranking["rows"]], period=period, opd_id=opd.pk)
            for row in ranking["rows"]:
                row["nudged"] = nudged.get((row["atasan_id"], opd.pk))
        parts["appraisers"] = render_to_string(template + "appraisers", {**context, "ranking": ranking})
    if "page" in names:
        summary = period_summary(period, now=now, opd_ids={opd.pk})
        context.update(
            {
                "summary": summary,
                "cards": _summary_cards(summary["all"]),
                "groups": GROUPS,
                "unit_rows": _unit_rows(period, now, opd, limit=UNITS_ON_DASHBOARD),
                # At Disdik: the school heads with the most teachers waiting for their rating.
                "heads_waiting": heads_waiting(period=period, as_of=now, opd_id=opd.pk),
                # The first line: how many are overdue, split by who must act.
                "unrated": unrated_by_stage(period=period, as_of=now, opd_id=opd.pk),
                "unit_count": unit_count,
                "chart": trend_chart(trend(period_choices(request), now=now, opd_ids={opd.pk}), TREND_SERIES),
            }
        )
        parts["page"] = {
            "headline": render_to_string(template + "headline", context),
            "summary": render_to_string(template + "summary", context),
            "units": render_to_string(template + "units", context),
            "lower": render_to_string(template + "lower", context),
            "overdue": context["unrated"]["overdue"],
            "no_working_email": no_working_email(opd.pk),
        }
    return parts


def _unit_rows(period, now, opd, *, limit: int | None = None) -> list[dict]:
    """Each unit's counts for the period, the most overdue first (the first `limit` of them)."""
    per_unit = unit_summaries(period, now=now, opd_id=opd.pk)
    ranked = sorted(per_unit, key=lambda pk: (-per_unit[pk]["counts"][rules.OVERDUE], -per_unit[pk]["total"], pk or 0))
    ranked = ranked[:limit] if limit else ranked
    # Names only for the units shown: a big Disdik has thousands of schools.
    names = dict(Unit.objects.filter(pk__in=[pk for pk in ranked if pk]).values_list("pk", "nama"))
    return [
        {
            "unit_id": pk,
            "unit_nama": names.get(pk),
            "total": per_unit[pk]["total"],
            "rate": per_unit[pk]["rate"],
            "cells": [per_unit[pk]["counts"][s] for s in rules.STATUSES],
            "overdue": per_unit[pk]["counts"][rules.OVERDUE],
        }
        for pk in ranked
    ]


@require_GET
@login_required
def opd_units(request, kode):
    """Every unit of an OPD with its counts: the drill-down from the dashboard."""
    scope, opd = _dashboard_opd(request, kode)
    period, period_error = chosen_period(request)
    now = timezone.now()
    context = {
        "opd": opd,
        **period_context(request, period, period_error, now),
        "unit_rows": sorted(_unit_rows(period, now, opd), key=lambda r: (-r["overdue"], r["unit_nama"] or "")),
        "cards": [(s, rules.STATUS_LABELS[s], 0) for s in rules.STATUSES],
        **_freshness(opd.pk),
    }
    return render(request, "dashboards/opd_units.html", context, status=400 if period_error else 200)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def staff(request):
    """'Staf saya': the same list, for the ASN one appraises and the units one leads."""
    scope = scope_that(request, Scope.leads_staff)
    period, period_error = chosen_period(request)
    now = timezone.now()
    params = _list_params(request)
    context = {
        "period": period,
        **_list_context(request=request, period=period, now=now, scope=scope, params=params, staff_only=True),
    }
    # Their own staff waiting for their rating: "you", not "the appraiser", and no button to remind themselves.
    context["viewer_asn_id"] = scope.asn_id
    if period.pk:
        context["can_nudge"] = True
        context["nudged"] = last_reminded(context["page"], period=period)
    if _is_list_swap(request):
        return render(request, "dashboards/staff.html#record-list", context)

    everyone = compliance_rows(period=period, as_of=now, scope=scope, names=False).filter(scope.staff_rows_q())
    counts = compliance_summary(everyone)
    context["teachers"] = _teachers_on_cycle(everyone, period)
    context.update(
        {
            **period_context(request, period, period_error, now),
            "cards": [(s, rules.STATUS_LABELS[s], counts[s]) for s in rules.STATUSES],
            "summary": {"all": {"rate": rules.on_time_rate(counts), "total": sum(counts.values())}},
            "units": Unit.objects.filter(pk__in=scope.unit_ids).order_by("nama").only("pk", "nama"),
            "own_ratings": own_pending_ratings(period=period, as_of=now, asn_id=scope.asn_id) if scope.asn_id else None,
            **_freshness(),
        }
    )
    return render(request, "dashboards/staff.html", context, status=400 if period_error else 200)


def _teachers_on_cycle(rows, period) -> dict | None:
    """For a school head: their teachers by the cycle period (filed and waiting for them, rated, not filed), in one
    query, with the year's cycle and BKPSDM's help link; None when the year's cycle is monthly or none is a teacher."""
    cycle = period.teacher_period()
    if cycle is None:
        return None
    stages = (
        rows.filter(month_is_guru=True)
        .order_by()
        .aggregate(
            total=Count("pk"),
            waiting=Count("pk", filter=Q(stage_then=rules.SUBMITTED)),
            rated=Count("pk", filter=Q(stage_then=rules.RATED)),
            missing=Count("pk", filter=Q(stage_then=rules.NOT_STARTED)),
        )
    )
    if not stages["total"]:
        return None
    return {**stages, "cycle": cycle, "help_url": TeacherCycle.help_url_of(period.year)}


@require_GET
@login_required
def asn_detail(request, nip):
    """One ASN's page: the month being chased and the one thing left to do (said to the ASN, their appraiser or
    anyone else who may see it), then this month and the twelve before it."""
    scope = request_scope(request)
    asn = get_asn_or_404(scope, nip)
    log_access(request, action=AccessLog.Action.VIEW_ASN, target=asn.nip)
    now = timezone.now()
    # This month first, though nobody chases it yet, so an ASN sees it (and its deadline) before it is due.
    today = timezone.localdate(now)
    this_month = period_for(today.year, today.month)
    history = asn_history(asn=asn, periods=[this_month, *period_choices(request)], as_of=now)
    chased = chased_month(asn=asn, item=history[1], as_of=now)
    if scope.asn_id == asn.pk:
        viewer = "self"
    elif scope.asn_id is not None and chased["appraiser"] is not None and chased["appraiser"].pk == scope.asn_id:
        viewer = "appraiser"
    else:
        viewer = "other"
    context = {
        "asn": asn,
        "history": history,
        "chased": chased,
        "this_month": history[0],
        "viewer": viewer,
        **_freshness(asn.opd_id),
    }
    return render(request, "dashboards/asn_detail.html", context)


@require_GET
@login_required
def regency(request):
    """Every OPD ranked by on-time rate, teachers apart, and the regency's trend."""
    scope_that(request, Scope.opens_regency_pages)
    period, period_error = chosen_period(request)
    now = timezone.now()
    kind = request.GET.get("jenis") if request.GET.get("jenis") in Opd.Kind.values else None
    opds = list(Opd.objects.filter(kind=kind) if kind else Opd.objects.all())
    opd_ids = {o.pk for o in opds}
    ranking = opd_ranking(period, now=now, opds=opds)
    summary = period_summary(period, now=now, opd_ids=None if kind is None else opd_ids)
    points = trend(period_choices(request), now=now, opd_ids=None if kind is None else opd_ids)
    context = {
        **period_context(request, period, period_error, now),
        "opd_kind": kind or "",
        "opd_kind_choices": Opd.Kind.choices,
        "ranking": ranking,
        "summary": summary,
        "cards": _summary_cards(summary["all"]),
        "groups": GROUPS,
        "chart": trend_chart(points, TREND_SERIES),
        **_freshness(),
    }
    return render(request, "dashboards/regency.html", context, status=400 if period_error else 200)
