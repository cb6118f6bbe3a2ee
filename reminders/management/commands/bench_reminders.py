"""make bench: the 10th-of-the-month reminders for the whole demo regency, to a real SMTP sink on loopback.

Reports the time to prepare the run (and its SQL queries, which must not grow
with the number of ASN) and to send it (messages per second, queries per message).
"""

import datetime as dt
import socket
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from opd.models import Asn
from reminders import outbox
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
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
            ):
                for label, as_of in scenarios:
                    due = [
                        o
                        for o in due_occasions(as_of=as_of, deadlines={}, rules_=list(ReminderRule.objects.all()))
                        if o.kind in KINDS
                    ]
                    if not due:
                        raise CommandError("no reminder of the 10th in the schedule")
                    keys = [o.key for o in due]
                    self._forget(keys)
                    try:
                        self._run(label, due, as_of)
                    finally:
                        self._forget(keys)
        finally:
            sink.terminate()
            sink.wait(10)

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

    def _forget(self, keys):
        """A benchmark run leaves nothing behind, so the next one starts from the same place."""
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
