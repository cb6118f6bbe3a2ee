"""Writes: the heartbeat, abandoned sync runs, and the alerts to BKPSDM's admins through the outbox."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reminders.links import absolute
from reminders.models import Kind, Message
from reminders.recipients import user_recipient
from skp.models import SyncRun

from . import selectors
from .models import BEAT, OUTBOX_FAILING, Mark

log = logging.getLogger(__name__)
# The outbox has no kind of its own for these yet: they go to BKPSDM like the escalations do.
ALERT_KIND = Kind.ESCALATION
# The broker hands a task out again 10 minutes after its time limit (CELERY_BROKER_TRANSPORT_OPTIONS);
# a run with no end by then was killed with its worker.
ABANDON_MARGIN = dt.timedelta(minutes=10)


def record_heartbeat(*, now: dt.datetime | None = None) -> Mark:
    """Beat's tick: written by a task that beat sends and a worker runs, so it proves all three alive."""
    beat, _created = Mark.objects.update_or_create(name=BEAT, defaults={"at": now or timezone.now()})
    return beat


def mark_outbox_failure(*, now: dt.datetime) -> None:
    """Keep the first failed send seen since the last message went out (a retry moves its row's own time on)."""
    state = selectors.outbox_state(now)
    last_sent = Message.objects.filter(pk=state.last_sent_pk).values_list("sent_at", flat=True).first()
    mark = Mark.objects.filter(name=OUTBOX_FAILING).first()
    if state.failing_since and (mark is None or (last_sent and mark.at <= last_sent) or state.failing_since < mark.at):
        Mark.objects.update_or_create(name=OUTBOX_FAILING, defaults={"at": state.failing_since})


def abandon_runs(*, now: dt.datetime | None = None) -> int:
    """Mark as abandoned the sync runs still "running" after any task may run: their worker was killed.

    A command run by hand that is still going (it has no time limit) writes its
    real outcome when it ends, over this mark.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - ABANDON_MARGIN
    message = _(
        "Still running %(minutes)d minutes after it started, longer than any task may run: it was stopped "
        "mid-way (a worker killed or restarted). What it finished is kept; the next run completes the rest."
    ) % {"minutes": (now - cutoff).total_seconds() // 60}
    return SyncRun.objects.filter(status=SyncRun.Status.RUNNING, started_at__lt=cutoff).update(
        status=SyncRun.Status.ABANDONED, finished_at=now, message=message
    )


def admins():
    """BKPSDM's admins who can be written to."""
    User = get_user_model()
    users = User.objects.filter(role=User.Role.ADMIN_BKPSDM, is_active=True).select_related("asn")
    return [user for user in users if (user.email or (user.asn.email if user.asn_id else "")).strip()]


def queue_alerts(problems: list[selectors.Problem], *, now: dt.datetime) -> list[Message]:
    """One email per admin per problem and streak: the key is the streak's, so later checks add nothing."""
    recipients = [user_recipient(user) for user in admins()]
    if problems and not recipients:
        log.error("operations: %d problems and no BKPSDM admin with an email address to tell", len(problems))
    link = absolute(reverse("operations"))
    messages = []
    for problem in problems:
        for person in recipients:
            context = {"problem": problem, "recipient": person, "link": link, "checked_at": now}
            subject = " ".join(render_to_string("ops/email/alert_subject.txt", context).split())[:200]
            messages.append(
                Message(
                    idempotency_key=f"{problem.key}/{person.key}/email"[:160],
                    kind=ALERT_KIND,
                    channel=Message.Channel.EMAIL,
                    asn_id=person.asn_id,
                    user_id=person.user_id if not person.asn_id else None,
                    address=person.email.strip(),
                    subject=subject,
                    body_text=render_to_string("ops/email/alert.txt", context),
                    body_html=render_to_string("ops/email/alert.html", context),
                )
            )
    existing = set(
        Message.objects.filter(idempotency_key__in=[m.idempotency_key for m in messages]).values_list(
            "idempotency_key", flat=True
        )
    )
    new = [m for m in messages if m.idempotency_key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True)
    for problem in problems:
        if not recipients or any(m.idempotency_key.startswith(problem.key + "/") for m in new):
            # Also in the log at ERROR, where Sentry picks it up: mail may be the very thing that fails.
            log.error("operations: %s. %s", problem.title, problem.detail)
    return new


@dataclass
class CheckResult:
    abandoned: int
    health: selectors.Health
    queued: list[Message] = field(default_factory=list)


def check_operations(*, now: dt.datetime | None = None) -> CheckResult:
    """What the periodic job and `check_operations` run: mark abandoned runs, look, alert, send."""
    now = now or timezone.now()
    abandoned = abandon_runs(now=now)
    mark_outbox_failure(now=now)
    health = selectors.health(now)
    result = CheckResult(abandoned=abandoned, health=health, queued=queue_alerts(health.problems, now=now))
    if result.queued:
        from reminders.services import send_soon

        send_soon()
    return result
