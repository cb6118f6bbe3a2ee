import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpSink:
    """A real SMTP server on loopback: keeps what it receives, refuses (550) or defers (451) on request,
    and, with per_minute set, answers 421 to the sender once that many arrived in the last minute
    (as a provider's rate limit does)."""

    received: list[Message] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)
    per_minute: int = 0
    accepted_at: list[float] = field(default_factory=list)
    throttled: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # time.time, not monotonic: the tests' time machine moves it, so "a minute later" is one.
        now = time.time()
        if self.per_minute and sum(1 for t in self.accepted_at if t > now - 60) >= self.per_minute:
            self.throttled += 1
            return "421 4.7.0 Too many messages this minute, slow down"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.accepted_at.append(time.time())
        self.received.append(message_from_bytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.received if m["To"] == address]


@pytest.fixture
def smtp(settings):
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


@dataclass
class Gateway:
    """A fake WhatsApp gateway on loopback, shaped like the Indonesian ones (form POST, token header)."""

    url: str = ""
    received: list[dict] = field(default_factory=list)
    answer: tuple[int, bytes] = (200, b'{"status": true}')


@pytest.fixture
def whatsapp(settings):
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            gateway.received.append({"token": self.headers.get("Authorization"), **form})
            status, payload = gateway.answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.WHATSAPP_GATEWAY_URL = gateway.url
    settings.WHATSAPP_GATEWAY_TOKEN = "token-uji"
    yield gateway
    server.shutdown()
    server.server_close()
