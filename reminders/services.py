"""Writes: turning due occasions into outbox rows, nudges, activation and unsubscribing."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from opd.access import EVERYONE
from opd.models import Asn, Opd
from opd.services import opd_data_changed
from skp import rules
from skp.appraisers import waiting_rows
from skp.models import Period
from skp.selectors import compliance_rows, period_for, with_names

from . import outbox, recipients
from .channels import enabled_channels
from .channels.whatsapp import normalise_phone
from .links import absolute, activation_url, unsubscribe_token
from .models import (
    BEFORE_DEADLINE_KINDS,
    OPTIONAL_KINDS,
    Kind,
    Message,
    Occasion,
    ReminderRule,
    Unsubscription,
    priority_of,
)
from .schedule import Occasion as DueOccasion
from .schedule import due_occasions

# Messages to people who answer for others open the page behind a login; an
# activation link would give them a plain ASN account that cannot open it.
ACTIVATES_ACCOUNT = (Kind.ASN_REMINDER, Kind.ATASAN_DIGEST, Kind.NUDGE, Kind.ATASAN_NUDGE, Kind.ACTIVATION)


def render_message(kind: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one message, from its three templates (as healthchecks does)."""
    subject = " ".join(render_to_string(f"reminders/email/{kind}_subject.txt", context).split())[:200]
    text = render_to_string(f"reminders/email/{kind}.txt", context)
    # The subject is plain text (names of people and OPD in it): the HTML escapes it in its <title>.
    html = render_to_string(f"reminders/email/{kind}.html", {**context, "subject": subject})
    return subject, re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


def _next_path(kind: str, period: Period | None, draft: recipients.Draft) -> str:
    key = period.key if period else ""
    if kind in (Kind.ASN_REMINDER, Kind.NUDGE, Kind.ACTIVATION):
        return reverse("asn_detail", args=[draft.recipient.nip])
    if kind in (Kind.ATASAN_DIGEST, Kind.ATASAN_NUDGE):
        return f"{reverse('staff')}?{urlencode({'periode': key})}"
    if kind == Kind.HELPDESK:
        return reverse("ticket_detail", args=[draft.context["ticket"].pk])
    if kind == Kind.OPD_DIGEST:
        query = urlencode({"periode": key, "status": rules.OVERDUE})
        return f"{reverse('opd_detail', args=[draft.context['opd'].kode])}?{query}"
    return f"{reverse('regency')}?{urlencode({'periode': key})}"


def build_messages(
    kind: str,
    drafts: list[recipients.Draft],
    *,
    period: Period | None,
    key_prefix: str,
    occasion: str = "",
    as_of: dt.datetime,
    created_by=None,
) -> list[Message]:
    """Render each draft once and make one outbox row per channel that can reach the person."""
    channels = enabled_channels()
    common = {
        "period": period,
        "deadline": period.deadline if period else None,
        "deadline_open": period is not None and as_of <= period.deadline,
        "days_left": (timezone.localdate(period.deadline) - timezone.localdate(as_of)).days if period else None,
        "portal_url": absolute("/"),
        "activation_days": settings.ACTIVATION_MAX_AGE_DAYS,
    }
    # A reminder of a deadline is worth nothing after it: the outbox drops it rather than send it late.
    send_before = period.deadline if period is not None and kind in BEFORE_DEADLINE_KINDS else None
    messages = []
    for draft in drafts:
        person = draft.recipient
        addresses = {"email": person.email.strip(), "whatsapp": normalise_phone(person.phone)}
        targets = [c for c in channels if addresses[c]]
        if not targets:
            continue
        next_path = _next_path(kind, period, draft)
        if person.asn_id and not person.has_login and kind in ACTIVATES_ACCOUNT:
            link = activation_url(person.asn_id, next_path)
        else:
            link = absolute(next_path)
        unsubscribe = None
        if kind in OPTIONAL_KINDS and person.asn_id:
            unsubscribe = absolute(reverse("unsubscribe", args=[unsubscribe_token(person.asn_id, kind)]))
        context = {
            **common,
            **draft.context,
            "recipient": person,
            "link": link,
            "needs_activation": person.asn_id and not person.has_login and kind in ACTIVATES_ACCOUNT,
            "unsubscribe_url": unsubscribe,
        }
        subject, text, html = render_message(kind, context)
        for channel in targets:
            messages.append(
                Message(
                    idempotency_key=f"{key_prefix}/{person.key}/{channel}",
                    kind=kind,
                    channel=channel,
                    period=period,
                    occasion=occasion,
                    asn_id=person.asn_id,
                    user_id=person.user_id if not person.asn_id else None,
                    opd_id=draft.opd_id,
                    address=addresses[channel],
                    subject=subject,
                    body_text=text,
                    body_html=html if channel == "email" else "",
                    priority=priority_of(kind),
                    send_before=send_before,
                    created_by=created_by,
                )
            )
    return messages


def drafts_for(kind: str, period: Period, as_of: dt.datetime) -> list[recipients.Draft]:
    if kind == Kind.ASN_REMINDER:
        return recipients.asn_reminders(period, as_of)
    if kind == Kind.ATASAN_DIGEST:
        return recipients.atasan_digests(period, as_of)
    if kind == Kind.OPD_DIGEST:
        return recipients.opd_digests(period, as_of)
    return recipients.regency_drafts(kind, period, as_of)


def stored_period(year: int, month: int) -> Period:
    period = period_for(year, month)
    if period.pk is None:
        period, _created = Period.objects.get_or_create(
            year=year,
            month=month,
            defaults={f: getattr(period, f) for f in ("start_date", "end_date", "deadline_default")},
        )
    return period


def prepare_occasion(occasion: DueOccasion, *, as_of: dt.datetime, dry_run: bool = False) -> list[Message]:
    """The outbox rows of one occasion, written with the occasion's mark in one transaction.

    The mark makes an occasion go out once, whatever the schedule's later runs
    find; the rows' unique keys make a second writer at the same moment harmless.
    """
    period = stored_period(*rules.parse_period(occasion.period_key))
    drafts = drafts_for(occasion.kind, period, as_of)
    messages = build_messages(
        occasion.kind, drafts, period=period, key_prefix=occasion.key, occasion=occasion.key, as_of=as_of
    )
    if dry_run:
        return messages
    with transaction.atomic():
        try:
            with transaction.atomic():
                Occasion.objects.create(
                    key=occasion.key, period=period, kind=occasion.kind, day=occasion.day, messages=len(messages)
                )
        except IntegrityError:
            return []  # another run prepared it a moment ago
        Message.objects.bulk_create(messages, batch_size=1000, ignore_conflicts=True)
    return messages


@dataclass
class ReminderRun:
    occasions: list[DueOccasion] = field(default_factory=list)
    prepared: dict[str, list[Message]] = field(default_factory=dict)
    sent: outbox.SendResult | None = None


def send_reminders(*, as_of: dt.datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """What the scheduler runs: prepare every due occasion not yet prepared, then send the outbox."""
    as_of = rules.aware(as_of) if as_of else timezone.now()
    rules_ = list(ReminderRule.objects.all())
    deadlines = {
        (p.year, p.month): p.deadline
        for p in Period.objects.filter(end_date__gte=as_of.date() - dt.timedelta(days=100))
    }
    due = due_occasions(as_of=as_of, deadlines=deadlines, rules_=rules_)
    done = set(Occasion.objects.filter(key__in=[o.key for o in due]).values_list("key", flat=True))
    run = ReminderRun(occasions=[o for o in due if o.key not in done])
    for occasion in run.occasions:
        run.prepared[occasion.key] = prepare_occasion(occasion, as_of=as_of, dry_run=dry_run)
    if not dry_run:
        # Sent at the real moment, whatever --as-of pretends: the quotas count real sending time.
        run.sent = outbox.send_waiting()
    return run


# --- on demand ---------------------------------------------------------------


def last_nudged(asn_ids, *, period: Period) -> dict[int, dt.datetime]:
    """When each ASN was last reminded by their head for this period (one query)."""
    found = {}
    rows = Message.objects.filter(asn_id__in=asn_ids, period=period, kind=Kind.NUDGE).order_by("asn_id", "created_at")
    for asn_id, created in rows.values_list("asn_id", "created_at"):
        found[asn_id] = created
    return found


def last_appraiser_nudges(atasan_ids, *, period: Period, opd_id: int | None = None) -> dict:
    """When each appraiser was last reminded of their waiting staff (of one OPD, or per OPD): one query.

    Keys are (appraiser id, OPD id); a message to an appraiser lists all their
    staff of that OPD waiting that day, so it stands for each of them.
    """
    rows = Message.objects.filter(asn_id__in=atasan_ids, period=period, kind=Kind.ATASAN_NUDGE)
    if opd_id is not None:
        rows = rows.filter(opd_id=opd_id)
    return {
        (r["asn_id"], r["opd_id"]): r["last"]
        for r in rows.order_by().values("asn_id", "opd_id").annotate(last=Max("created_at"))
    }


def last_reminded(rows, *, period: Period) -> dict[int, dt.datetime]:
    """When someone was last reminded about each listed row (ListedRow): the ASN, or the appraiser
    who must rate them once they have filed. Two queries, however many rows."""
    waiting = {
        r.pk: (r.atasan.pk, r.record.opd_id) for r in rows if r.stage == rules.SUBMITTED and r.atasan and r.record
    }
    own = last_nudged([r.pk for r in rows if r.pk not in waiting], period=period)
    appraisers = last_appraiser_nudges({a for a, _opd in waiting.values()}, period=period)
    return {**own, **{pk: appraisers[key] for pk, key in waiting.items() if key in appraisers}}


@dataclass
class NudgeResult:
    queued: int = 0
    already_today: int = 0
    unreachable: int = 0
    unsubscribed: int = 0
    # Staff who have filed: their appraiser is reminded instead, once a day per appraiser and OPD.
    appraisers_queued: int = 0
    appraisers_already_today: int = 0
    appraisers_unreachable: int = 0
    no_appraiser: int = 0  # filed, but no appraiser is known for that month
    own_ratings: int = 0  # the one reminding is the appraiser: nobody to remind but themselves
    delayed: bool = False  # the broker was down: the periodic send picks them up

    @property
    def anything(self) -> bool:
        return any(
            (
                self.queued,
                self.already_today,
                self.unreachable,
                self.unsubscribed,
                self.appraisers_queued,
                self.appraisers_already_today,
                self.appraisers_unreachable,
                self.no_appraiser,
                self.own_ratings,
            )
        )


def nudge(*, asn_ids: list[int], period: Period, by, now: dt.datetime | None = None) -> NudgeResult:
    """Remind the one who must act on each of these ASN's records now (DESIGN.md, "Who must act").

    Not filed yet: the ASN, at most once per ASN per day. Filed and waiting for
    the rating: that month's appraiser, never the ASN who already filed; one
    message per appraiser per OPD per day, naming all their staff of that OPD
    who wait (the day's key makes a second click a no-op).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = list(
        with_names(compliance_rows(period=period, as_of=now, scope=EVERYONE, names=False), "atasan")
        .filter(pk__in=asn_ids, status__in=[rules.OVERDUE, rules.PENDING])
        .annotate(
            has_login=recipients.has_login(),
            unsubscribed=Exists(Unsubscription.objects.filter(asn_id=OuterRef("pk"), kind=Kind.NUDGE)),
        )
        .values(
            "pk",
            "nip",
            "nama",
            "email",
            "phone",
            "has_login",
            "status",
            "stage_then",
            "must_act",
            "month_opd_id",
            "month_atasan_id",
            "month_atasan_nama",
            "unsubscribed",
        )
    )
    filed = [r for r in rows if r["stage_then"] == rules.SUBMITTED]
    result = NudgeResult()
    messages = _asn_nudges([r for r in rows if r["stage_then"] != rules.SUBMITTED], period, by, now, today, result)
    appraiser_messages = _appraiser_nudges(filed, period, by, now, today, result)
    existing = set(
        Message.objects.filter(
            idempotency_key__in=[m.idempotency_key for m in messages + appraiser_messages]
        ).values_list("idempotency_key", flat=True)
    )
    new = [m for m in messages + appraiser_messages if m.idempotency_key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True)
    if new:  # the dashboards say when each ASN (or their appraiser) was last reminded
        opd_data_changed(opd_ids={m.opd_id for m in new if m.opd_id})
    result.queued = len({m.asn_id for m in new if m.kind == Kind.NUDGE})
    result.already_today = len({m.asn_id for m in messages if m.idempotency_key in existing})
    result.appraisers_queued = len({(m.asn_id, m.opd_id) for m in new if m.kind == Kind.ATASAN_NUDGE})
    result.appraisers_already_today = len(
        {(m.asn_id, m.opd_id) for m in appraiser_messages if m.idempotency_key in existing}
    )
    if new:
        result.delayed = send_soon()["queued"] is False
    return result


def _asn_nudges(rows: list[dict], period, by, now, today, result: NudgeResult) -> list[Message]:
    """One reminder per ASN who has not filed (minus those who turned them off)."""
    result.unsubscribed = sum(1 for a in rows if a["unsubscribed"])
    drafts = [
        recipients.Draft(
            recipient=recipients.asn_recipient(a),
            opd_id=a["month_opd_id"],
            # The appraiser of that month, as the lists show (not today's, after a transfer).
            context={"status": a["status"], "must_act": a["must_act"], "atasan_nama": a["month_atasan_nama"]},
        )
        for a in rows
        if not a["unsubscribed"]
    ]
    key = f"{period.key}/nudge/{today.isoformat()}"
    messages, result.unreachable = _nudges(Kind.NUDGE, drafts, lambda draft: key, period, by, now)
    return messages


def _appraiser_nudges(filed: list[dict], period, by, now, today, result: NudgeResult) -> list[Message]:
    """One reminder per appraiser and OPD, listing every staff member of that OPD waiting for them.

    The OPD is the one of the staff that month: a Kepala OPD reminding an
    appraiser who sits in another OPD sends a message that names only their own staff.
    """
    by_asn_id = getattr(by, "asn_id", None)
    result.no_appraiser = sum(1 for r in filed if r["month_atasan_id"] is None)
    result.own_ratings = sum(1 for r in filed if by_asn_id and r["month_atasan_id"] == by_asn_id)
    pairs = {
        (r["month_atasan_id"], r["month_opd_id"])
        for r in filed
        if r["month_atasan_id"] is not None and r["month_atasan_id"] != by_asn_id
    }
    if not pairs:
        return []
    atasan_ids = {a for a, _opd in pairs}
    opd_ids = {o for _a, o in pairs}
    staff: dict[tuple, list[dict]] = {}
    waiting = (
        with_names(waiting_rows(period=period, as_of=now), "unit")
        .filter(record_atasan_id__in=atasan_ids, record_opd_id__in=opd_ids)
        .order_by("nama", "nip")
        .values("nip", "nama", "jabatan", "status", "month_unit_nama", "month_atasan_id", "month_opd_id")
    )
    for row in waiting:
        staff.setdefault((row["month_atasan_id"], row["month_opd_id"]), []).append(row)
    appraisers = {
        a["pk"]: a
        for a in Asn.objects.filter(pk__in=atasan_ids)
        .annotate(has_login=recipients.has_login())
        .values("pk", "nip", "nama", "email", "phone", "has_login")
    }
    opds = Opd.objects.in_bulk(opd_ids)
    drafts = []
    for atasan_id, opd_id in sorted(pairs):
        listed = staff.get((atasan_id, opd_id), [])
        drafts.append(
            recipients.Draft(
                recipient=recipients.asn_recipient(appraisers[atasan_id]),
                opd_id=opd_id,
                context={
                    "opd": opds[opd_id],
                    "staff": listed[: recipients.DIGEST_ROWS],
                    "total": len(listed),
                    "overdue": sum(1 for r in listed if r["status"] == rules.OVERDUE),
                },
            )
        )
    # The OPD is in the key: one message a day per appraiser and OPD.
    key = f"{period.key}/atasan_nudge/{today.isoformat()}/opd"
    messages, result.appraisers_unreachable = _nudges(
        Kind.ATASAN_NUDGE, drafts, lambda draft: f"{key}{draft.opd_id}", period, by, now
    )
    return messages


def _nudges(kind: str, drafts: list, key_of, period, by, now) -> tuple[list[Message], int]:
    """The outbox rows of a nudge's drafts (`key_of(draft)`: their idempotency key's prefix), and how many
    of the drafts no channel reaches."""
    messages, unreachable = [], 0
    for draft in drafts:
        built = build_messages(kind, [draft], period=period, key_prefix=key_of(draft), as_of=now, created_by=by)
        unreachable += not built
        messages.extend(built)
    return messages, unreachable


def send_soon() -> dict:
    """Send the outbox now rather than at the next periodic run."""
    # The beat task sends the outbox every minute anyway: this only makes it immediate.
    from kapuas_kinerja.celery import queue_on_commit

    from .tasks import send_outbox

    return queue_on_commit(send_outbox)


def request_password_reset(*, login: str, request_id: str) -> int:
    """Queue a link to choose a new password to each active login of this NIP or username; how many.

    Run by a task, never by the page that asked: the page answers the same,
    with the same work, whether or not the NIP has a login. The request's id
    in the key makes a task run twice queue one message.
    """
    from opd.forms import address_of, reset_users

    messages = []
    for user in reset_users(login):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = absolute(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
        name = user.get_full_name() or (user.asn.nama if user.asn_id else user.get_username())
        subject, text, html = render_message(
            Kind.PASSWORD_RESET, {"recipient": {"name": name}, "link": link, "portal_url": absolute("/")}
        )
        messages.append(
            Message(
                idempotency_key=f"password_reset/{request_id}/{user.pk}",
                kind=Kind.PASSWORD_RESET,
                channel=Message.Channel.EMAIL,
                asn_id=user.asn_id,
                user=user,
                address=address_of(user),
                subject=subject,
                body_text=text,
                body_html=html,
                priority=priority_of(Kind.PASSWORD_RESET),
            )
        )
    if messages:
        Message.objects.bulk_create(messages, ignore_conflicts=True)
        send_soon()
    return len(messages)


def request_activation(*, nip: str, now: dt.datetime | None = None) -> bool:
    """Queue an activation email for an ASN without a login; False (and nothing sent) otherwise.

    Run by a task (see request_password_reset): the page says the same either
    way, with the same work, so it does not tell who is registered.
    """
    now = now or timezone.now()
    asn = Asn.objects.filter(nip=nip, is_active=True).exclude(email="").first()
    if asn is None or get_user_model().objects.filter(asn=asn).exists():
        return False
    recipient = recipients.Recipient(
        key=f"asn{asn.pk}", name=asn.nama, email=asn.email, asn_id=asn.pk, nip=asn.nip, has_login=False
    )
    # One per hour at most: the key carries the hour.
    prefix = f"activation/{timezone.localtime(now):%Y-%m-%dT%H}"
    messages = build_messages(
        Kind.ACTIVATION,
        [recipients.Draft(recipient=recipient, opd_id=asn.opd_id)],
        period=None,
        key_prefix=prefix,
        as_of=now,
    )
    messages = [m for m in messages if m.channel == Message.Channel.EMAIL]
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    send_soon()
    return True


def activate_account(*, asn: Asn, password: str):
    """Create the ASN's own login (their NIP as the username). The link that led here dies with it."""
    User = get_user_model()
    user = User(username=asn.nip, role=User.Role.ASN, asn=asn, email=asn.email)
    user.first_name = asn.nama[:150]
    user.set_password(password)
    user.save()
    return user


def unsubscribe(*, asn_id: int, kind: str) -> None:
    Unsubscription.objects.get_or_create(asn_id=asn_id, kind=kind)


def set_preferences(*, asn_id: int, wanted: set[str]) -> None:
    """Turn the optional kinds on or off for one ASN."""
    Unsubscription.objects.filter(asn_id=asn_id, kind__in=wanted).delete()
    for kind in set(OPTIONAL_KINDS) - wanted:
        Unsubscription.objects.get_or_create(asn_id=asn_id, kind=kind)
