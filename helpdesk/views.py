"""Thin views: the helpdesk. Every ticket goes through the same visibility rule as the rest of the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opd.access import request_scope
from opd.models import AccessLog, Asn
from opd.services import log_access
from reports.services import UploadRefused
from skp import rules
from skp.selectors import period_for

from . import services
from .forms import ReplyForm, TicketForm, UpdateForm
from .models import Attachment, Ticket
from .selectors import SLOW_AFTER_WORKING_DAYS, get_ticket_or_404, visible_tickets, with_ages


def _files(form, ticket=None) -> list[tuple[str, bytes]]:
    uploads = form.cleaned_data.get("attachments") or []
    # By the sizes the upload declares, before reading tens of megabytes into memory.
    services.check_attachment_limits(ticket, [upload.size for upload in uploads])
    files = []
    for upload in uploads:
        if upload.size > services.MAX_ATTACHMENT_BYTES:
            raise UploadRefused(_("An attachment may be at most 5 MB."))
        files.append((upload.name, upload.read()))
    return files


@require_GET
@login_required
def ticket_list(request):
    """BKPSDM: the queue of open tickets, oldest first. Heads: their OPD's. Everyone: their own."""
    scope = request_scope(request)
    tickets = visible_tickets(scope, request.user)
    show = request.GET.get("status", "open")
    if show == "open":
        tickets = tickets.filter(status__in=Ticket.OPEN)
    elif show in Ticket.Status.values:
        tickets = tickets.filter(status=show)
    kode = request.GET.get("opd", "").upper()
    if kode:
        tickets = tickets.filter(opd__kode=kode)
    rows = with_ages(list(tickets.order_by("created_at")[:500]))
    context = {
        "tickets": rows,
        "show": show,
        "statuses": Ticket.Status.choices,
        "slow": sum(1 for t in rows if t.slow),
        "slow_after": SLOW_AFTER_WORKING_DAYS,
        "is_bkpsdm": scope.is_bkpsdm,
        "opd_kode": kode,
    }
    return render(request, "helpdesk/ticket_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def ticket_new(request):
    """Open a ticket; the ASN and period are pre-filled from the page it was opened from."""
    scope = request_scope(request)
    nip = request.GET.get("nip") or request.POST.get("nip") or ""
    # Only an ASN the user may see can be named (the same rule as their pages).
    asn = Asn.objects.filter(scope.asn_q(), nip=nip).select_related("opd").first() if nip else None
    if asn is None and request.user.asn_id:
        asn = request.user.asn
    period = None
    text = request.GET.get("periode") or request.POST.get("periode") or ""
    try:
        period = period_for(*rules.parse_period(text)) if text else None
    except rules.RuleError:
        period = None
    # A link may pre-select the category (the ASN page's "wrong appraiser" link asks for "data").
    category = request.GET.get("kategori")
    initial = {"category": category} if category in Ticket.Category.values else {}
    form = TicketForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_ticket_limit(request.user)
            ticket = services.open_ticket(
                reporter=request.user,
                asn=asn,
                period=period if period and period.pk else None,
                files=_files(form),
                category=form.cleaned_data["category"],
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
            )
        except services.TooManyTickets as refused:
            form.add_error(None, str(refused))
            context = {"form": form, "asn": asn, "period": period}
            return render(request, "helpdesk/ticket_new.html", context, status=429)
        except UploadRefused as refused:
            form.add_error("attachments", str(refused))
        else:
            messages.success(request, _("Ticket #%(number)s is sent to BKPSDM.") % {"number": ticket.pk})
            return redirect("ticket_detail", pk=ticket.pk)
    context = {"form": form, "asn": asn, "period": period}
    return render(request, "helpdesk/ticket_new.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def ticket_detail(request, pk):
    scope = request_scope(request)
    ticket = get_ticket_or_404(scope, request.user, pk)
    entries = ticket.entries.select_related("author").prefetch_related("attachments")
    if not scope.is_bkpsdm:
        entries = entries.exclude(kind="note")
    context = {
        "ticket": with_ages([ticket])[0],
        "entries": entries,
        "attachments": ticket.attachments.filter(entry__isnull=True),
        "reply_form": ReplyForm(),
        "update_form": UpdateForm(initial={"status": ticket.status, "assignee": ticket.assignee})
        if scope.is_bkpsdm
        else None,
        "is_bkpsdm": scope.is_bkpsdm,
    }
    return render(request, "helpdesk/ticket_detail.html", context)


@require_POST
@login_required
def ticket_reply(request, pk):
    scope = request_scope(request)
    ticket = get_ticket_or_404(scope, request.user, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply_to_ticket(
                ticket=ticket,
                author=request.user,
                text=form.cleaned_data["text"],
                internal=form.cleaned_data["internal"],
                files=_files(form, ticket),
                by_bkpsdm=scope.is_bkpsdm,
            )
        except UploadRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Your message is added to the ticket."))
    else:
        messages.error(request, _("Write a message first."))
    return redirect("ticket_detail", pk=ticket.pk)


@require_POST
@login_required
def ticket_update(request, pk):
    scope = request_scope(request)
    ticket = get_ticket_or_404(scope, request.user, pk)
    if not scope.is_bkpsdm:
        raise PermissionDenied
    form = UpdateForm(request.POST)
    if form.is_valid():
        services.update_ticket(
            ticket=ticket, by=request.user, status=form.cleaned_data["status"], assignee=form.cleaned_data["assignee"]
        )
        messages.success(request, _("The ticket is updated."))
    return redirect("ticket_detail", pk=ticket.pk)


@require_GET
@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("ticket", "entry"), pk=pk)
    scope = request_scope(request)
    get_ticket_or_404(scope, request.user, attachment.ticket_id)  # the ticket's own rule
    if attachment.entry and not attachment.entry.is_public and not scope.is_bkpsdm:
        raise Http404
    target = f"lampiran tiket #{attachment.ticket_id}: {attachment.original_name}"
    log_access(request, action=AccessLog.Action.DOWNLOAD, target=target[:200])
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@require_GET
def faq(request):
    """Answers to the problems the circular anticipates; open to anyone (even who cannot log in)."""
    return render(request, "helpdesk/faq.html")
