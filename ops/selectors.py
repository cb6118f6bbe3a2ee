"""Reads: how the portal's moving parts stand (syncs, imports, beat, the outbox) and what is wrong.

Each condition carries a streak key, which stays the same for as long as the
same trouble lasts: the alert for it is one outbox row per admin under that
key, so a check that runs every ten minutes emails once per streak.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reminders.models import Message
from skp.models import SyncRun

from .models import BEAT, OUTBOX_FAILING, Mark

Status = SyncRun.Status
# The scheduled sync records this when neither BKN nor the simulator is configured
# (SyncRun.Status.NOT_CONFIGURED): neither a success nor a failure, so it alerts nobody.
NOT_CONFIGURED = "not_configured"
SUCCEEDED = (Status.SUCCEEDED, Status.PARTLY_FAILED)  # data came in
FAILED = (Status.FAILED, Status.ABANDONED)
SOURCES = {"ekinerja": "e-Kinerja", "siasn": "SIASN"}
# Where the monthly records come from: SIASN brings master data only.
DATA_SOURCES = ("ekinerja", "import")


def _wib(moment: dt.datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


@dataclass
class SourceState:
    """One BKN source: its last good run, its last run, and the failures since the good one."""

    source: str
    label: str
    last_success: SyncRun | None
    last_run: SyncRun | None
    failures: int = 0
    first_failure: SyncRun | None = None
    # The most times one scope (period, OPD) failed since the last success: two nights, or two hours mid-month.
    in_a_row: int = 0
    # Its newest scheduled run found neither BKN nor the simulator configured: data comes from imports.
    not_configured: bool = False


@dataclass
class OutboxState:
    waiting: int
    oldest_waiting_at: dt.datetime | None
    attempted_last_hour: int
    failed_last_hour: int
    failing_since: dt.datetime | None
    last_sent_pk: int | None

    @property
    def failure_rate(self) -> float | None:
        """Failed ÷ attempted over the last hour (None when nothing was attempted)."""
        return self.failed_last_hour / self.attempted_last_hour if self.attempted_last_hour else None

    @property
    def failure_percent(self) -> int | None:
        rate = self.failure_rate
        return None if rate is None else round(rate * 100)


@dataclass
class Problem:
    code: str
    streak: str
    title: str
    detail: str
    since: dt.datetime | None = None

    @property
    def key(self) -> str:
        return f"ops/{self.code}/{self.streak}"


@dataclass
class Health:
    checked_at: dt.datetime
    sources: list[SourceState]
    last_import: SyncRun | None
    data_at: dt.datetime | None
    data_stale: bool
    beat_at: dt.datetime | None
    beat_silent: bool
    outbox: OutboxState
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def source_state(source: str) -> SourceState:
    """The source's last success, last run and failure streak, in a handful of queries whatever its history."""
    runs = SyncRun.objects.filter(source=source).exclude(status=NOT_CONFIGURED).order_by("-started_at", "-pk")
    last_success = runs.filter(status__in=SUCCEEDED).first()
    state = SourceState(
        source=source,
        label=SOURCES[source],
        last_success=last_success,
        last_run=runs.exclude(status=Status.RUNNING).first(),
    )
    newest = SyncRun.objects.filter(source=source).order_by("-started_at", "-pk").values_list("status", flat=True)
    state.not_configured = newest.first() == NOT_CONFIGURED
    failures = runs.filter(status__in=FAILED)
    if last_success is not None:
        failures = failures.filter(started_at__gt=last_success.started_at)
    state.failures = failures.count()
    if state.failures:
        state.first_failure = failures.order_by("started_at", "pk").first()
        # Counted per scope (period, OPD): the nightly job syncs two periods, and one bad night is not two.
        per_scope = failures.order_by().values("period_key", "opd_kode").annotate(n=Count("pk"))
        state.in_a_row = max(row["n"] for row in per_scope)
    return state


def last_import() -> SyncRun | None:
    return SyncRun.objects.filter(source="import", status__in=SUCCEEDED).order_by("-finished_at").first()


def data_arrived_at() -> tuple[dt.datetime | None, int | None]:
    """When data last came in (a sync of e-Kinerja or an import that succeeded), and that run's id."""
    run = (
        SyncRun.objects.filter(source__in=DATA_SOURCES, status__in=SUCCEEDED, finished_at__isnull=False)
        .order_by("-finished_at")
        .values("finished_at", "pk")
        .first()
    )
    return (run["finished_at"], run["pk"]) if run else (None, None)


def outbox_state(now: dt.datetime) -> OutboxState:
    """What waits, the last hour's failure rate, and since when nothing has gone out after a failure."""
    S = Message.Status
    waiting = Message.objects.filter(status__in=[S.QUEUED, S.RETRY]).aggregate(n=Count("pk"), oldest=Min("created_at"))
    # claimed_at is each row's last attempt: a row tried in the last hour counts once, sent or not.
    tried = Message.objects.filter(claimed_at__gte=now - dt.timedelta(hours=1)).aggregate(
        sent=Count("pk", filter=Q(status=S.SENT)),
        failed=Count("pk", filter=Q(status__in=[S.RETRY, S.FAILED, S.UNCERTAIN])),
    )
    last_sent = Message.objects.filter(status=S.SENT).order_by("-sent_at").values("pk", "sent_at").first()
    # The server or the connection failing, not one refused address: rows waiting to retry, and
    # rows that gave up after every attempt (a refused address fails at its first).
    temporary = Message.objects.filter(
        Q(status=S.RETRY) | Q(status=S.FAILED, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS), claimed_at__isnull=False
    )
    if last_sent:
        temporary = temporary.filter(claimed_at__gt=last_sent["sent_at"])
    failing_since = temporary.aggregate(first=Min("claimed_at"))["first"]
    # A retry moves its row's claimed_at on: the check keeps the first failure it saw (ops.services).
    mark = Mark.objects.filter(name=OUTBOX_FAILING).values_list("at", flat=True).first()
    if failing_since and mark and (not last_sent or mark > last_sent["sent_at"]):
        failing_since = min(failing_since, mark)
    return OutboxState(
        waiting=waiting["n"],
        oldest_waiting_at=waiting["oldest"],
        attempted_last_hour=tried["sent"] + tried["failed"],
        failed_last_hour=tried["failed"],
        failing_since=failing_since,
        last_sent_pk=last_sent["pk"] if last_sent else None,
    )


def health(now: dt.datetime | None = None) -> Health:
    """Everything the health page, /sehat/ and the periodic check show, with the conditions that are open."""
    now = now or timezone.now()
    sources = [source_state(source) for source in SOURCES]
    data_at, data_run = data_arrived_at()
    stale_after = dt.timedelta(hours=settings.SYNC_STALE_AFTER_HOURS)
    beat_at = Mark.objects.filter(name=BEAT).values_list("at", flat=True).first()
    outbox = outbox_state(now)
    state = Health(
        checked_at=now,
        sources=sources,
        last_import=last_import(),
        data_at=data_at,
        # No data at all is a new installation, not stale data: the page says "never".
        data_stale=data_at is not None and now - data_at > stale_after,
        beat_at=beat_at,
        # A beat that never ticked (an installation without one) has not stopped: the page says "never".
        beat_silent=beat_at is not None and now - beat_at > dt.timedelta(minutes=settings.BEAT_SILENT_AFTER_MINUTES),
        outbox=outbox,
    )
    for source in sources:
        if source.in_a_row >= 2:
            state.problems.append(
                Problem(
                    code=f"sync-failed-{source.source}",
                    streak=str(source.first_failure.pk),
                    title=_("The %(source)s sync has failed %(count)d times in a row")
                    % {"source": source.label, "count": source.in_a_row},
                    detail=_("Failing since %(since)s. Last error: %(message)s")
                    % {"since": _wib(source.first_failure.started_at), "message": source.last_run.message or "–"},
                    since=source.first_failure.started_at,
                )
            )
    if state.data_stale:
        state.problems.append(
            Problem(
                code="stale",
                streak=str(data_run),
                title=_("The data is older than %(hours)d hours") % {"hours": settings.SYNC_STALE_AFTER_HOURS},
                detail=_("The last sync or import that brought data finished %(when)s.") % {"when": _wib(data_at)},
                since=data_at,
            )
        )
    if state.beat_silent:
        state.problems.append(
            Problem(
                code="beat",
                streak=beat_at.isoformat(),
                title=_("The scheduler (Celery beat) has stopped"),
                detail=_(
                    "Its last tick was %(when)s: no scheduled sync, reminder or sending runs until beat "
                    "and a worker are running again."
                )
                % {"when": _wib(beat_at)},
                since=beat_at,
            )
        )
    failing_after = dt.timedelta(minutes=settings.OUTBOX_FAILING_AFTER_MINUTES)
    if outbox.failing_since and now - outbox.failing_since >= failing_after:
        state.problems.append(
            Problem(
                code="outbox",
                streak=str(outbox.last_sent_pk or 0),
                title=_("The outbox has been failing to send"),
                detail=_(
                    "Nothing has gone out since a failure at %(when)s; in the last hour %(failed)d of "
                    "%(attempted)d attempts failed. Check the mail server settings (EMAIL_HOST)."
                )
                % {
                    "when": _wib(outbox.failing_since),
                    "failed": outbox.failed_last_hour,
                    "attempted": outbox.attempted_last_hour,
                },
                since=outbox.failing_since,
            )
        )
    return state
