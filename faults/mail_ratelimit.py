"""`make faults` (with faults/run.sh): a mail server that rate-limits, as a provider does.

An aiosmtpd server on loopback answers "421 4.7.0 slow down" to the sender once
PER_MINUTE messages arrived in the last minute. The portal's own quota is set
above it (as a regency might misjudge its provider), so the server's refusals
are what holds the outbox back. Runs the real outbox every RUN_EVERY seconds,
as beat would, and checks: the outbox stops at the first refusal of a run
(one probe, not a burst), no message loses an attempt or fails for it, and
everything is delivered once, later. Exits 1 otherwise.
"""

import os
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapuas_kinerja.settings")

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from opd.models import Asn  # noqa: E402
from reminders import outbox  # noqa: E402
from reminders.models import Kind, Message  # noqa: E402

PER_MINUTE = int(os.environ.get("FAULTS_MAIL_PER_MINUTE", "15"))
MESSAGES = int(os.environ.get("FAULTS_MAIL_MESSAGES", "40"))
RUN_EVERY = 20  # seconds; beat runs the outbox every minute, faster here to show the probes
GIVE_UP = 300
PREFIX = "faults/ratelimit/"


class RateLimited:
    """Accepts PER_MINUTE messages in any minute; then 421 to MAIL FROM until the minute has passed."""

    def __init__(self):
        self.accepted: list[tuple[float, str]] = []
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        now = time.time()
        with self.lock:
            if sum(1 for at, _key in self.accepted if at > now - 60) >= PER_MINUTE:
                self.refused += 1
                return "421 4.7.0 Too many messages this minute, slow down"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        key = next(
            (
                line.split(":", 1)[1].strip()
                for line in envelope.content.decode().splitlines()
                if line.startswith("X-Kinerja-Message:")
            ),
            "",
        )
        with self.lock:
            self.accepted.append((time.time(), key))
        return "250 Message accepted"


def queue(people) -> list[int]:
    Message.objects.filter(idempotency_key__startswith=PREFIX).delete()
    rows = [
        Message(
            idempotency_key=f"{PREFIX}{n}",
            kind=Kind.NUDGE,
            channel=Message.Channel.EMAIL,
            asn=asn,
            address=asn.email,
            subject=f"Uji batas pengiriman {n}",
            body_text="Pesan uji make faults.",
        )
        for n, asn in enumerate(people)
    ]
    return [m.pk for m in Message.objects.bulk_create(rows)]


def main() -> int:
    handler = RateLimited()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    people = list(Asn.objects.exclude(email="").order_by("pk")[:MESSAGES])
    # Anything else waiting in this database goes first or alongside; only ours are counted.
    pks = queue(people)
    mine = Message.objects.filter(pk__in=pks)
    started = time.monotonic()
    runs = []
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
            EMAIL_MAX_PER_MINUTE=0,  # the portal's quota is not what stops it here: the server is
        ):
            while mine.exclude(status=Message.Status.SENT).exists() and time.monotonic() - started < GIVE_UP:
                refused_before = handler.refused
                result = outbox.send_waiting()
                runs.append((time.monotonic() - started, result.sent, handler.refused - refused_before))
                print(
                    f"  t={runs[-1][0]:5.0f} s: outbox run sent {result.sent}, "
                    f"server refused {runs[-1][2]} (421), {result.retrying} to retry, {result.failed} failed"
                )
                if mine.exclude(status=Message.Status.SENT).exists():
                    time.sleep(RUN_EVERY)
    finally:
        controller.stop()
    delivered = [key for _at, key in handler.accepted if key.startswith(PREFIX)]
    statuses = set(mine.values_list("status", "attempts"))
    ok = (
        len(delivered) == len(set(delivered)) == len(pks)  # everything once
        and statuses == {(Message.Status.SENT, 1)}  # no attempt lost to the refusals, nothing failed
        and all(refused <= 1 for _t, _sent, refused in runs)  # each run stopped at the first refusal
        and handler.refused >= 1  # the server did refuse: the test tested something
    )
    print(
        f"Mail server limited to {PER_MINUTE} a minute: {len(delivered)}/{len(pks)} delivered once each "
        f"in {runs[-1][0] if runs else 0:.0f} s over {len(runs)} runs, {handler.refused} refusals (at most one a run), "
        f"attempts and statuses {sorted(statuses)}"
    )
    Message.objects.filter(idempotency_key__startswith=PREFIX).delete()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
