"""sync_bkn as an operator runs it, against the simulator served over loopback."""

import datetime as dt
import threading
from io import StringIO
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skp import rules
from skp.bkn.simulator import TOKEN, Faults, Simulator
from skp.models import MonthlyRecord, SyncRun

pytestmark = pytest.mark.django_db


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    """A real HTTP server on 127.0.0.1 (a free port), stopped after the test."""
    started = []

    def serve(faults=None):
        simulator = Simulator(asn_count=80, seed=3, now=dt.datetime.now(tz=rules.WIB), faults=faults)
        server = make_server("127.0.0.1", 0, simulator, handler_class=Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in started:
        server.shutdown()
        server.server_close()


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("sync_bkn", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_sync_bkn_over_http_succeeds_and_exits_0(served, settings):
    settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN = served(), TOKEN
    code, out, _ = run("--source", "ekinerja")
    assert code == 0
    assert "succeeded: created" in out
    assert MonthlyRecord.objects.exists()
    assert SyncRun.objects.get(source="ekinerja").triggered_by == "sync_bkn"


def test_a_refused_token_exits_1_and_says_what_to_do(served, settings):
    settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN = served(Faults(refuse_token=True)), TOKEN
    code, out, err = run("--source", "ekinerja")
    assert code == 1
    assert "EKINERJA_TOKEN" in err
    assert not MonthlyRecord.objects.exists()


def test_bad_arguments_exit_2():
    for args in (["--period", "2025-13"], ["--opd", "NOPE"]):
        with pytest.raises(CommandError) as error:
            call_command("sync_bkn", *args, stdout=StringIO())
        assert error.value.returncode == 2
