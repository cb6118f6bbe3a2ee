"""Thin views: an OPD's TPP basis, the regency's finalisation state, BKPSDM's finalise and reopen.

The basis as .xlsx or PDF is reports' (reports/views.py, the `tpp` command): reports sits
above tpp and builds every document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opd.access import Scope, opd_that, scope_that
from opd.models import Opd
from skp import rules
from skp.periods import chosen_period, period_context, posted_period

from .models import Finalisation
from .selectors import basis_for, finalisation_in_force, regency_status
from .services import TppError, finalise_basis, reopen_basis


@require_GET
@login_required
def opd_tpp(request, kode):
    scope, opd = opd_that(request, kode, Scope.opens_tpp)
    period, period_error = chosen_period(request)
    now = timezone.now()
    basis = basis_for(period=period, opd=opd, as_of=now)
    hidden = not (basis.is_final or scope.reads_tpp_drafts)
    page = Paginator([] if hidden else basis.lines, 50).get_page(request.GET.get("halaman"))
    context = {
        **period_context(request, period, period_error, now),
        "opd": opd,
        "basis": basis,
        "hidden": hidden,
        "page": page,
        "counts": [(s, rules.STATUS_LABELS[s], basis.counts[s]) for s in rules.STATUSES],
        "can_finalise": scope.is_bkpsdm and period.pk is not None,
        "history": Finalisation.objects.filter(period=period, opd=opd).select_related("finalised_by", "reopened_by")
        if period.pk
        else [],
    }
    return render(request, "tpp/opd_tpp.html", context, status=400 if period_error else 200)


@require_POST
@login_required
def finalise(request, kode):
    _scope, opd = opd_that(request, kode, Scope.is_bkpsdm)
    period = posted_period(request)
    try:
        done = finalise_basis(period=period, opd=opd, by=request.user)
    except TppError as error:
        messages.error(request, str(error))
    else:
        text = _("The TPP basis is final (version %(version)s): later syncs no longer change it.")
        messages.success(request, text % {"version": done.version})
    return redirect(f"{reverse('opd_tpp', args=[opd.kode])}?periode={period.key}")


@require_POST
@login_required
def reopen(request, kode):
    _scope, opd = opd_that(request, kode, Scope.is_bkpsdm)
    period = posted_period(request)
    finalisation = finalisation_in_force(period, opd)
    if finalisation is None:
        messages.error(request, _("This TPP basis is not finalised."))
    else:
        try:
            reopen_basis(finalisation=finalisation, by=request.user, reason=request.POST.get("alasan", ""))
        except TppError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The TPP basis is open again; finalise it again to make a new version."))
    return redirect(f"{reverse('opd_tpp', args=[opd.kode])}?periode={period.key}")


@require_GET
@login_required
def regency_tpp(request):
    """Every OPD's TPP basis for a period: finalised or not, by whom, with the links to each."""
    scope = scope_that(request, Scope.opens_tpp_list)
    period, period_error = chosen_period(request)
    now = timezone.now()
    final = regency_status(period)
    rows = [{"opd": opd, "final": final.get(opd.pk)} for opd in Opd.objects.filter(is_active=True).order_by("nama")]
    context = {
        **period_context(request, period, period_error, now),
        "rows": rows,
        "final_count": len(final),
        "reads_drafts": scope.reads_tpp_drafts,
    }
    return render(request, "tpp/regency_tpp.html", context, status=400 if period_error else 200)
