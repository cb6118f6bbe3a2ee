"""Writes: building documents in the background, and the signed annual recaps BKPSDM checks."""

import datetime as dt
import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from kapuas_kinerja.tabular import download_name
from tpp.selectors import final_basis, finalisation_at, live_basis

from . import recaps
from .models import AnnualRecapUpload, ReportJob

Kind = ReportJob.Kind


def request_report(*, kind: str, by, period=None, opd=None, year=None) -> ReportJob:
    """Queue a PDF; the worker builds it and the page shows its progress."""
    from kapuas_kinerja.celery import queue_on_commit

    from . import tasks

    job = ReportJob.objects.create(kind=kind, period=period, opd=opd, year=year, requested_by=by)
    queue_on_commit(tasks.build_report, job.pk)
    return job


def build_waiting_reports(*, older_than_seconds: int = 60) -> int:
    """The sweep: build jobs still queued a minute on (their task was lost, or the broker was down)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    built = 0
    for pk in ReportJob.objects.filter(status=ReportJob.Status.QUEUED, created_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        if build_report(pk) is not None:
            built += 1
    return built


def document_name(title, *, opd=None, period=None, year=None, extension="pdf", extra=()) -> str:
    """What a downloaded document is called: "Rekap-Dinas-Kesehatan-Oktober-2026.pdf", its OPD and month in
    words (the stored name may carry the storage's random suffix; codes stay in URLs)."""
    return download_name(
        title,
        opd.nama if opd else _("Kapuas Regency"),
        period.label if period else year,
        *extra,
        extension=extension,
    )


def report_name(job: ReportJob) -> str:
    """The document's file name as people get it."""
    if job.kind == Kind.OPD_RECAP:
        return document_name(_("Recap"), opd=job.opd, period=job.period)
    if job.kind == Kind.REGENCY_RECAP:
        return document_name(_("Recap"), period=job.period)
    if job.kind == Kind.TPP_BASIS:
        return document_name(_("TPP basis"), opd=job.opd, period=job.period)
    return document_name(_("Annual SKP recap"), opd=job.opd, year=job.year)


def _build(job: ReportJob) -> bytes:
    now = timezone.now()
    if job.kind == Kind.OPD_RECAP:
        return recaps.opd_recap_pdf(period=job.period, opd=job.opd, as_of=now)
    if job.kind == Kind.REGENCY_RECAP:
        return recaps.regency_recap_pdf(period=job.period, as_of=now)
    if job.kind == Kind.TPP_BASIS:
        # The basis as it stood when it was asked for: a job queued while a version was final
        # builds that frozen version even if BKPSDM reopened it since, so the finance office
        # (which may ask for final bases only) is never handed a draft.
        finalisation = finalisation_at(job.period, job.opd, job.created_at)
        if finalisation is not None:
            basis = final_basis(finalisation)
        else:
            basis = live_basis(period=job.period, opd=job.opd, as_of=now)
        return recaps.tpp_pdf(basis)
    return recaps.annual_recap_pdf(opd=job.opd, year=job.year)


def build_report(job_id: int) -> ReportJob | None:
    """Build one queued document. A second worker on the same job finds it claimed and does nothing."""
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.QUEUED).update(
        status=ReportJob.Status.RUNNING, started_at=timezone.now(), step=_("Building the PDF")
    )
    if not claimed:
        return None
    job = ReportJob.objects.select_related("period", "opd", "opd__head").get(pk=job_id)
    try:
        data = _build(job)
    except Exception as error:  # the page must say it failed rather than wait for ever
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, error=str(error)[:1000], finished_at=timezone.now(), step=""
        )
        raise
    job.file.save(report_name(job), ContentFile(data), save=False)
    ReportJob.objects.filter(pk=job_id).update(
        file=job.file.name, status=ReportJob.Status.DONE, finished_at=timezone.now(), step=""
    )
    job.refresh_from_db()
    return job


class UploadRefused(Exception):
    """An upload that is not a PDF, is too large or is empty; the message is for the user."""


def check_size(size: int) -> None:
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadRefused(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )


def check_pdf(data: bytes) -> None:
    """A PDF by its content, not its name: the header, and a document a PDF reader can open."""
    if not data:
        raise UploadRefused(_("The file is empty."))
    check_size(len(data))
    if not data[:1024].lstrip().startswith(b"%PDF-"):
        raise UploadRefused(_("The file is not a PDF (whatever its name says). Scan or save the recap as PDF."))
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError):
        pages = 0
    if pages < 1:
        raise UploadRefused(_("The PDF is damaged or has no pages; save it again and upload the new file."))


def upload_annual_recap(*, opd, year: int, name: str, data: bytes, by) -> AnnualRecapUpload:
    """Store a new version of the signed recap (earlier versions are kept)."""
    check_pdf(data)
    with transaction.atomic():
        last = (
            AnnualRecapUpload.objects.select_for_update().filter(opd=opd, year=year).aggregate(v=Max("version"))["v"]
            or 0
        )
        upload = AnnualRecapUpload(
            opd=opd,
            year=year,
            version=last + 1,
            original_name=name[:200],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=by,
        )
        upload.file.save(f"{opd.kode}-{year}-v{last + 1}.pdf", ContentFile(data), save=False)
        upload.save()
    return upload


def review_annual_recap(*, upload: AnnualRecapUpload, by, verified: bool, reason: str = "") -> AnnualRecapUpload:
    """BKPSDM marks a version verified, or sends it back with a reason."""
    reason = reason.strip()
    if not verified and not reason:
        raise UploadRefused(_("Say why the recap is returned."))
    upload.status = AnnualRecapUpload.Status.VERIFIED if verified else AnnualRecapUpload.Status.RETURNED
    upload.return_reason = "" if verified else reason
    upload.reviewed_by = by
    upload.reviewed_at = timezone.now()
    upload.save(update_fields=["status", "return_reason", "reviewed_by", "reviewed_at"])
    return upload
