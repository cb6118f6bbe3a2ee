"""Writes: opening a ticket, replying, changing its status or handler, and telling the reporter."""

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reminders.models import Kind, Message
from reminders.recipients import Draft, Recipient
from reminders.services import build_messages, send_soon
from reports.services import UploadRefused, check_pdf

from .models import Attachment, Ticket, TicketEntry

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def attachment_type(data: bytes) -> str:
    """The file's real type from its first bytes: an image or a PDF, anything else refused."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise UploadRefused(_("An attachment may be at most 5 MB."))
    for signature, content_type in IMAGE_SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        check_pdf(data)
        return "application/pdf"
    raise UploadRefused(_("Attach screenshots (PNG, JPEG, GIF, WebP) or PDF files only."))


class TooManyTickets(Exception):
    """The reporter opened as many tickets this hour as HELPDESK_MAX_TICKETS_PER_HOUR allows."""


def check_ticket_limit(reporter, *, now=None) -> None:
    """Refuse a new ticket from someone who opened HELPDESK_MAX_TICKETS_PER_HOUR in the past hour.

    BKPSDM's queue is read by people: a script or a stuck key must not bury it.
    """
    now = now or timezone.now()
    limit = settings.HELPDESK_MAX_TICKETS_PER_HOUR
    recent = Ticket.objects.filter(reporter=reporter, created_at__gt=now - dt.timedelta(hours=1)).count()
    if recent >= limit:
        raise TooManyTickets(
            ngettext(
                "You have opened %(count)d ticket in the past hour, the most allowed. Add to it, or try again later.",
                "You have opened %(count)d tickets in the past hour, the most allowed. Add to one, or try again later.",
                limit,
            )
            % {"count": limit}
        )


def check_attachment_limits(ticket: Ticket | None, sizes: list[int]) -> None:
    """Refuse files that would take a ticket past its number of attachments or its total size.

    Checked on the sizes the upload declares before anything is read, and again
    on the bytes themselves before anything is stored.
    """
    count, total = len(sizes), sum(sizes)
    if ticket is not None and ticket.pk:
        held = ticket.attachments.aggregate(count=Count("pk"), total=Sum("size"))
        count += held["count"]
        total += held["total"] or 0
    most = settings.HELPDESK_MAX_ATTACHMENTS_PER_TICKET
    if count > most:
        raise UploadRefused(
            ngettext(
                "A ticket may have at most %(count)d attachment.",
                "A ticket may have at most %(count)d attachments.",
                most,
            )
            % {"count": most}
        )
    if total > settings.HELPDESK_MAX_TICKET_BYTES:
        raise UploadRefused(
            _("A ticket's attachments may be at most %(mb)d MB in all.")
            % {"mb": settings.HELPDESK_MAX_TICKET_BYTES // (1024 * 1024)}
        )


def _attach(ticket, entry, files, by) -> None:
    for name, data in files:
        content_type = attachment_type(data)
        attachment = Attachment(
            ticket=ticket,
            entry=entry,
            original_name=name[:200],
            content_type=content_type,
            size=len(data),
            uploaded_by=by,
        )
        extension = {"application/pdf": "pdf", "image/jpeg": "jpg"}.get(content_type, content_type.split("/")[-1])
        attachment.file.save(f"tiket-{ticket.pk}.{extension}", ContentFile(data), save=False)
        attachment.save()


def open_ticket(*, reporter, category, subject, description, asn=None, period=None, files=()) -> Ticket:
    """Open a ticket; its OPD (who else sees it) is the ASN concerned's, else the reporter's."""
    check_ticket_limit(reporter)
    check_attachment_limits(None, [len(data) for _name, data in files])
    for _name, data in files:
        attachment_type(data)  # refuse before anything is stored
    opd = asn.opd if asn else (reporter.asn.opd if reporter.asn_id else reporter.opd)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            reporter=reporter,
            category=category,
            subject=subject,
            description=description,
            asn=asn,
            period=period,
            opd=opd,
        )
        _attach(ticket, None, files, reporter)
    return ticket


def reply_to_ticket(
    *, ticket: Ticket, author, text: str, internal: bool = False, files=(), by_bkpsdm: bool
) -> TicketEntry:
    """A reply or, for BKPSDM, an internal note. A reply from BKPSDM is emailed to the reporter."""
    check_attachment_limits(ticket, [len(data) for _name, data in files])
    for _name, data in files:
        attachment_type(data)
    kind = TicketEntry.Kind.NOTE if internal and by_bkpsdm else TicketEntry.Kind.REPLY
    with transaction.atomic():
        entry = TicketEntry.objects.create(ticket=ticket, author=author, kind=kind, text=text)
        _attach(ticket, entry, files, author)
        if kind == TicketEntry.Kind.REPLY and not by_bkpsdm and ticket.status == Ticket.Status.WAITING:
            # The reporter answered: the ball is back with BKPSDM.
            ticket.status = Ticket.Status.IN_PROGRESS
        ticket.save()
        if kind == TicketEntry.Kind.REPLY and by_bkpsdm and author != ticket.reporter:
            _notify(ticket, entry)
    return entry


def update_ticket(*, ticket: Ticket, by, status: str | None = None, assignee=None) -> None:
    """BKPSDM changes the status (the reporter is told) or who handles it (an internal note)."""
    with transaction.atomic():
        if assignee is not None and assignee != ticket.assignee:
            ticket.assignee = assignee
            TicketEntry.objects.create(
                ticket=ticket,
                author=by,
                kind=TicketEntry.Kind.NOTE,
                text=_("Handled by %(name)s.") % {"name": assignee.get_full_name() or assignee.username},
            )
        if status and status != ticket.status:
            old = Ticket.Status(ticket.status).label
            ticket.status = status
            ticket.closed_at = None if status in Ticket.OPEN else timezone.now()
            entry = TicketEntry.objects.create(
                ticket=ticket,
                author=by,
                kind=TicketEntry.Kind.CHANGE,
                text=_("Status: %(old)s → %(new)s") % {"old": old, "new": Ticket.Status(status).label},
            )
            _notify(ticket, entry)
        ticket.save()


def _notify(ticket: Ticket, entry: TicketEntry) -> None:
    """Email the reporter through the outbox (one message per public change, never twice)."""
    reporter = ticket.reporter
    recipient = Recipient(
        key=f"asn{reporter.asn_id}" if reporter.asn_id else f"user{reporter.pk}",
        name=reporter.asn.nama if reporter.asn_id else (reporter.get_full_name() or reporter.username),
        email=reporter.email or (reporter.asn.email if reporter.asn_id else ""),
        asn_id=reporter.asn_id,
        user_id=reporter.pk,
        nip=reporter.asn.nip if reporter.asn_id else "",
    )
    messages = build_messages(
        Kind.HELPDESK,
        [Draft(recipient=recipient, opd_id=ticket.opd_id, context={"ticket": ticket, "entry": entry})],
        period=None,
        key_prefix=f"helpdesk/{ticket.pk}/{entry.pk}",
        as_of=timezone.now(),
    )
    Message.objects.bulk_create([m for m in messages if m.channel == Message.Channel.EMAIL], ignore_conflicts=True)
    send_soon()
