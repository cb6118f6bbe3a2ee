import datetime as dt
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.test.utils import override_settings


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    # The test client and the browser test's live server speak plain HTTP on loopback.
    # Session-wide and first: the live server's middleware reads this once, when it
    # starts. (tests/test_deploy.py checks the production settings themselves.)
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _indonesian(settings):
    # Tests see what users see: Indonesian pages.
    settings.LANGUAGE_CODE = "id"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The real hasher is slow by design; tests only need passwords to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_in_process():
    # Messages and PDFs are queued on commit; with REDIS_URL set (CI) no worker would pick them up inside a test.
    from kapuas_kinerja.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _empty_cache():
    # Dashboard parts, sync locks and the like never leak from one test into the next.
    from django.core.cache import cache

    cache.clear()


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    """The project's BKN simulator over loopback (a real HTTP server on a free port), stopped after the test."""
    from skp import rules
    from skp.bkn.simulator import Simulator

    started = []

    def serve(faults=None, *, asn_count=80):
        simulator = Simulator(asn_count=asn_count, seed=3, now=dt.datetime.now(tz=rules.WIB), faults=faults)
        server = make_server("127.0.0.1", 0, simulator, handler_class=_Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bkpsdm_client(client, db):
    """The test client logged in as a BKPSDM admin who may open the admin panel."""
    from tests.factories import bkpsdm_staff

    client.force_login(bkpsdm_staff())
    return client
