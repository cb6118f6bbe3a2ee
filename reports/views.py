"""Thin views: recap and TPP basis downloads, PDFs built in the background, and the signed annual SKP recaps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from kapuas_kinerja.redirects import redirect_back
from kapuas_kinerja.tabular import xlsx_response
from opd.access import Scope, get_opd_or_404, opd_that, request_scope, scope_that
from opd.models import AccessLog, Opd
from opd.services import log_access
from skp.periods import chosen_period, posted_period
from tpp.selectors import basis_for, finalisation_in_force

from . import recaps, services
from .forms import AnnualUploadForm
from .models import AnnualRecapUpload, ReportJob

Kind = ReportJob.Kind


@require_GET
@login_required
def opd_recap_xlsx(request, kode):
    _scope, opd = opd_that(request, kode, Scope.opens_opd_pages)
    period, error = chosen_period(request)
    if error:
        return redirect("opd_detail", kode=opd.kode)
    data = recaps.opd_recap_xlsx(period=period, opd=opd, as_of=timezone.now())
    name = services.document_name(_("Recap"), opd=opd, period=period, extension="xlsx")
    log_access(request, action=AccessLog.Action.DOWNLOAD, target=name)  # the audit trail names it as people do
    return xlsx_response(data, name)


@require_GET
@login_required
def opd_tpp_xlsx(request, kode):
    scope, opd = opd_that(request, kode, Scope.opens_tpp)
    period, period_error = chosen_period(request)
    basis = basis_for(period=period, opd=opd, as_of=timezone.now())
    if period_error or not (basis.is_final or scope.reads_tpp_drafts):
        return redirect(f"{reverse('opd_tpp', args=[opd.kode])}?periode={period.key}")
    name = services.document_name(_("TPP basis"), opd=opd, period=period, extension="xlsx")
    log_access(request, action=AccessLog.Action.DOWNLOAD, target=name)
    return xlsx_response(recaps.tpp_xlsx(basis), name)


@require_GET
@login_required
def regency_recap_xlsx(request):
    if not request_scope(request).opens_regency_pages:
        raise PermissionDenied
    period, error = chosen_period(request)
    if error:
        return redirect("regency")
    return xlsx_response(
        recaps.regency_recap_xlsx(period=period, as_of=timezone.now()),
        services.document_name(_("Recap"), period=period, extension="xlsx"),
    )


@require_POST
@login_required
def report_start(request):
    """Ask for a PDF: the same checks as the page it is asked from, then a background job."""
    scope = request_scope(request)
    kind = request.POST.get("jenis", "")
    opd = None
    if kind in (Kind.OPD_RECAP, Kind.ANNUAL_RECAP):
        _scope, opd = opd_that(request, request.POST.get("opd", ""), Scope.opens_opd_pages)
    elif kind == Kind.TPP_BASIS:
        if not scope.opens_tpp:
            raise PermissionDenied
        opd = get_opd_or_404(scope, request.POST.get("opd", ""))
    elif kind == Kind.REGENCY_RECAP:
        if not scope.opens_regency_pages:
            raise PermissionDenied
    else:
        raise Http404
    period = posted_period(request) if kind != Kind.ANNUAL_RECAP else None
    if kind == Kind.TPP_BASIS and not scope.reads_tpp_drafts and finalisation_in_force(period, opd) is None:
        raise Http404  # the finance office sees finalised bases only
    if period is not None and period.pk is None:
        messages.error(request, _("There is no data for this period yet."))
        return redirect("home")
    job = services.request_report(
        kind=kind, by=request.user, period=period, opd=opd, year=_year(request.POST) if opd and not period else None
    )
    return redirect("report_status", pk=job.pk)


def _own_job(request, pk) -> ReportJob:
    # A job is its requester's: anyone else gets 404, as for any out-of-scope object.
    return get_object_or_404(ReportJob.objects.select_related("period", "opd"), pk=pk, requested_by=request.user)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def report_status(request, pk):
    job = _own_job(request, pk)
    context = {"job": job, "waiting": job.status in (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "reports/report_status.html#job", context)
    return render(request, "reports/report_status.html", context)


@require_GET
@login_required
def report_download(request, pk):
    job = _own_job(request, pk)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    name = services.report_name(job)
    log_access(request, action=AccessLog.Action.DOWNLOAD, target=name)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


# --- the signed annual SKP recap ----------------------------------------------------


def _year(data) -> int:
    """The year asked for; last year by default (the circular asks for the recap of the year just ended)."""
    text = str(data.get("tahun", ""))
    this_year = timezone.localdate().year
    if text.isdigit() and 2000 <= int(text) <= this_year:
        return int(text)
    return this_year - 1


def _recent_years() -> range:
    """The year picker: this year and the three before it."""
    this_year = timezone.localdate().year
    return range(this_year, this_year - 4, -1)


@require_GET
@login_required
def opd_annual(request, kode):
    scope, opd = opd_that(request, kode, Scope.opens_opd_pages)
    return render(request, "reports/opd_annual.html", _annual_context(request, scope, opd, _year(request.GET)))


def _annual_context(request, scope, opd, year, form=None) -> dict:
    rows = list(recaps.annual_rows(opd=opd, year=year))
    return {
        "opd": opd,
        "year": year,
        "years": _recent_years(),
        "page": Paginator(rows, 50).get_page(request.GET.get("halaman")),
        "reached": sum(1 for r in rows if r["skp__sent_to_siasn"]),
        "total": len(rows),
        "uploads": AnnualRecapUpload.objects.filter(opd=opd, year=year).select_related("uploaded_by", "reviewed_by"),
        "can_upload": scope.acts_for_opd(opd.pk),
        "can_review": scope.is_bkpsdm,
        "form": form or AnnualUploadForm(),
    }


@require_POST
@login_required
def annual_upload(request, kode):
    scope, opd = opd_that(request, kode, Scope.opens_opd_pages)
    if not scope.acts_for_opd(opd.pk):
        raise PermissionDenied
    year = _year(request.POST)
    form = AnnualUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["berkas"]
        try:
            services.check_size(upload.size)  # before reading a byte of it
            stored = services.upload_annual_recap(
                opd=opd, year=year, name=upload.name, data=upload.read(), by=request.user
            )
        except services.UploadRefused as refused:
            form.add_error("berkas", str(refused))
        else:
            messages.success(
                request, _("Version %(version)s of the signed recap is uploaded.") % {"version": stored.version}
            )
            return redirect(f"{reverse('opd_annual', args=[opd.kode])}?tahun={year}")
    # The page again, the refusal beside the file field and linked to it (not a message at the top).
    return render(request, "reports/opd_annual.html", _annual_context(request, scope, opd, year, form), status=400)


def _document(request, pk) -> AnnualRecapUpload:
    """An uploaded recap, for those who may see its OPD: 404 to anyone else (its existence is not revealed)."""
    scope = request_scope(request)
    upload = get_object_or_404(AnnualRecapUpload.objects.select_related("opd"), pk=pk)
    if not scope.opens_opd_pages or (not scope.all_opd and upload.opd_id not in scope.opd_ids):
        raise Http404
    return upload


@require_GET
@login_required
def document_download(request, pk):
    upload = _document(request, pk)
    name = services.document_name(
        _("Signed annual SKP recap"), opd=upload.opd, year=upload.year, extra=(_("version"), upload.version)
    )
    log_access(request, action=AccessLog.Action.DOWNLOAD, target=name)
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


@require_POST
@login_required
def document_review(request, pk):
    upload = _document(request, pk)
    if not request_scope(request).is_bkpsdm:
        raise PermissionDenied
    verified = request.POST.get("keputusan") == "terima"
    try:
        services.review_annual_recap(
            upload=upload, by=request.user, verified=verified, reason=request.POST.get("alasan", "")
        )
    except services.UploadRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Recap verified.") if verified else _("Recap returned to the OPD."))
    return redirect_back(request, f"{reverse('opd_annual', args=[upload.opd.kode])}?tahun={upload.year}")


@require_GET
@login_required
def annual_overview(request):
    """For BKPSDM: which OPD have uploaded their signed annual recap, and in what state."""
    scope_that(request, Scope.opens_regency_pages)
    year = _year(request.GET)
    latest: dict[int, AnnualRecapUpload] = {}
    for upload in AnnualRecapUpload.objects.filter(year=year).order_by("opd_id", "version"):
        latest[upload.opd_id] = upload
    rows = [{"opd": opd, "upload": latest.get(opd.pk)} for opd in Opd.objects.filter(is_active=True).order_by("nama")]
    context = {
        "year": year,
        "years": _recent_years(),
        "rows": rows,
        "missing": sum(1 for r in rows if r["upload"] is None),
        "counts": {
            status: sum(1 for u in latest.values() if u.status == status) for status in AnnualRecapUpload.Status
        },
    }
    return render(request, "reports/annual_overview.html", context)
