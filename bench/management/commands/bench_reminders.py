"""make bench: the 10th-of-the-month reminders for the whole demo regency, to a real SMTP sink on loopback.

Reports the time to prepare the run (and its SQL queries, which must not grow
with the number of ASN) and to send it (messages per second, queries per message).
"""

import bisect
import datetime as dt
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from opd.models import Asn
from reminders import outbox, quotas
from reminders.models import Kind, Message, Occasion, ReminderRule
from reminders.schedule import due_occasions
from reminders.services import prepare_occasion
from skp import rules

KINDS = (Kind.ASN_REMINDER, Kind.ATASAN_DIGEST)


class Command(BaseCommand):
    help = "Benchmark preparing and sending the reminders of the 10th to a local SMTP sink."

    def handle(self, *args, **options):
        today = timezone.localdate()
        next_year, next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        scenarios = [
            # The chased period as the demo data has it: part of the regency rated by the 10th.
            ("as the demo stands", dt.datetime(today.year, today.month, 10, 7, 0, tzinfo=rules.WIB)),
            # This month, chased next month before any sync: every ASN gets a reminder.
            ("nobody rated yet", dt.datetime(next_year, next_month, 10, 7, 0, tzinfo=rules.WIB)),
        ]
        port = _free_port()
        sink = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(port)
            smtp = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": port,
            }
            # The sender's own speed first, with no quota holding it back.
            no_quota = {"EMAIL_MAX_PER_MINUTE": 0, "EMAIL_MAX_PER_HOUR": 0, "EMAIL_MAX_PER_DAY": 0}
            with override_settings(**smtp, **no_quota):
                for label, as_of in scenarios:
                    due = self._due(as_of)
                    if not due:
                        raise CommandError("no reminder of the 10th in the schedule")
                    with self._forgotten(due):
                        self._run(label, due, as_of)
            # Then everyone reminded within the configured quotas, the outbox run every minute as beat does.
            label, as_of = scenarios[-1]
            due = self._due(as_of)
            with override_settings(**smtp), self._forgotten(due):
                self._run_within_quotas(label, due, as_of)
        finally:
            sink.terminate()
            sink.wait(10)

    def _run_within_quotas(self, label, due, as_of):
        prepared = sum(len(prepare_occasion(o, as_of=as_of)) for o in due)
        ours = Message.objects.filter(occasion__in=[o.key for o in due])
        started = time.perf_counter()
        runs = sending_runs = 0
        moment = as_of
        with QueryCounter() as queries:
            while ours.filter(status__in=[Message.Status.QUEUED, Message.Status.RETRY]).exists():
                result = outbox.send_waiting(now=moment)
                runs += 1
                sending_runs += bool(result.sent)
                # The next beat tick (every minute) at which the quotas let one more go.
                free = quotas.Pacer.load("email", moment).next_slot()
                ticks = max(1, -(-(free - moment) // dt.timedelta(minutes=1)))
                moment += dt.timedelta(minutes=ticks)
        wall = time.perf_counter() - started
        sent = list(
            ours.filter(status=Message.Status.SENT).order_by("sent_at", "pk").values_list("sent_at", "priority")
        )
        times = [t for t, _p in sent]
        busiest_hour = max(
            (bisect.bisect_right(times, t + dt.timedelta(hours=1)) - i for i, t in enumerate(times)), default=0
        )
        in_order = all(a[1] <= b[1] for a, b in zip(sent, sent[1:], strict=False))
        limits = "/".join(str(getattr(settings, f"EMAIL_MAX_PER_{w}") or "-") for w in ("MINUTE", "HOUR", "DAY"))
        self.stdout.write(
            f"\nReminders of the 10th, {label}, within the quotas (email per minute/hour/day {limits}), "
            f"the outbox every minute:"
        )
        last = times[-1] - as_of if times else dt.timedelta(0)
        self.stdout.write(
            f"  {prepared} prepared, {len(sent)} sent once each, {ours.exclude(status=Message.Status.SENT).count()} "
            f"not sent; the last {last.total_seconds() / 3600:.1f} h after the first run; busiest rolling hour "
            f"{busiest_hour}; sent in priority order: {'yes' if in_order else 'NO'}; {sending_runs} of {runs} runs "
            f"sent something; {wall:.1f} s of work, {len(queries)} queries"
        )
        if len(sent) != prepared or not in_order:
            raise CommandError("within the quotas: messages lost, doubled or out of order")

    def _run(self, label, due, as_of):
        started = time.perf_counter()
        with QueryCounter() as prepared_queries:
            prepared = sum(len(prepare_occasion(o, as_of=as_of)) for o in due)
        prepare_s = time.perf_counter() - started

        sending = time.perf_counter()
        with QueryCounter() as sent_queries:
            result = outbox.send_waiting(now=as_of)
        send_s = time.perf_counter() - sending
        total_s = time.perf_counter() - started
        if result.sent != prepared:
            raise CommandError(f"prepared {prepared} messages but sent {result.sent}: {result.errors[:3]}")

        asn = Asn.objects.filter(is_active=True).count()
        self.stdout.write(
            f"\nReminders of the 10th, {label} ({', '.join(o.key for o in due)}), {asn} active ASN, {connection.vendor}"
        )
        self.stdout.write(f"{'step':<34} {'time':>8} {'messages':>9} {'per s':>8} {'queries':>8}")
        self.stdout.write(
            f"{'prepare (recipients, render, rows)':<34} {prepare_s:>7.1f}s {prepared:>9} "
            f"{prepared / prepare_s:>8.0f} {len(prepared_queries):>8}"
        )
        # Claim and confirm per message; the reads of each batch of 500 and two clean-ups are shared.
        per_message = len(sent_queries) / max(result.sent, 1)
        self.stdout.write(
            f"{'send to the SMTP sink':<34} {send_s:>7.1f}s {result.sent:>9} {result.sent / send_s:>8.0f} "
            f"{len(sent_queries):>8}  ({per_message:.2f} per message)"
        )
        self.stdout.write(f"{'total (target <= 60 s)':<34} {total_s:>7.1f}s")

    def _due(self, as_of):
        """The reminders and digests the schedule has due at that moment."""
        rules_ = list(ReminderRule.objects.all())
        return [o for o in due_occasions(as_of=as_of, deadlines={}, rules_=rules_) if o.kind in KINDS]

    @contextmanager
    def _forgotten(self, due):
        """A benchmark run leaves nothing behind, so the next one starts from the same place."""
        keys = [o.key for o in due]
        self._forget(keys)
        try:
            yield
        finally:
            self._forget(keys)

    def _forget(self, keys):
        Message.objects.filter(occasion__in=keys).delete()
        Occasion.objects.filter(key__in=keys).delete()


class QueryCounter:
    """Counts SQL statements without keeping them (Django's query log stops at 9,000)."""

    def __init__(self):
        self.count = 0

    def __len__(self):
        return self.count

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise CommandError("the SMTP sink did not start")
