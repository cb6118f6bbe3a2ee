"""Error reports go to Sentry (through its SDK) when SENTRY_DSN is set, and nowhere when it is not."""

import gzip
import json
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Run in a process of its own: the SDK patches Django and Celery for the life of a process.
SCRIPT = """
import json, logging, django
django.setup()
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "active": client.is_active(),
    "send_default_pii": client.options.get("send_default_pii"),
    "integrations": sorted(getattr(client, "integrations", {})),
}))
try:
    {}["no such key"]
except KeyError:
    sentry_sdk.capture_exception()
logging.getLogger("ops.services").error("operations: the outbox has been failing to send")
sentry_sdk.flush(timeout=5)
"""


@pytest.fixture
def collector():
    """A Sentry-shaped endpoint on loopback that keeps every envelope it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            received.append((self.path, body.decode("utf-8", "replace")))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, received
    server.shutdown()
    server.server_close()


def run(env_extra):
    env = {k: v for k, v in os.environ.items() if k != "SENTRY_DSN"}
    env.update({"DJANGO_SETTINGS_MODULE": "kapuas_kinerja.settings", **env_extra})
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[0])


def test_settings_with_sentry_dsn_report_errors_without_personal_data(collector):
    port, received = collector
    state = run({"SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/7"})
    assert state["active"] is True and state["send_default_pii"] is False
    assert {"django", "celery"} <= set(state["integrations"])
    events = [body for path, body in received if path == "/api/7/envelope/"]
    assert any('"KeyError"' in body for body in events)
    assert any("the outbox has been failing to send" in body for body in events)  # ops alerts reach it too


def test_without_sentry_dsn_nothing_is_initialised():
    state = run({})
    assert state["active"] is False and state["integrations"] == []
