"""sync_bkn as an operator runs it, against the simulator served over loopback."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import Asn, Opd
from skp.bkn.simulator import TOKEN, Faults
from skp.models import MonthlyRecord, Period, SyncRun

pytestmark = pytest.mark.django_db


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


def test_without_bkn_or_simulator_it_exits_1_says_what_to_set_and_writes_nothing(settings):
    settings.BKN_SIMULATOR = False
    code, out, err = run()
    assert code == 1
    assert "EKINERJA_BASE_URL, EKINERJA_TOKEN" in err and "SIASN_API_URL" in err and "BKN_SIMULATOR=1" in err
    assert "import_bkn" in err
    assert not SyncRun.objects.exists()
    assert not any(m.objects.exists() for m in (Opd, Asn, Period, MonthlyRecord))


def test_half_a_configuration_names_the_missing_setting(settings):
    settings.BKN_SIMULATOR = False
    settings.EKINERJA_BASE_URL = "https://kinerja.bkn.go.id"
    code, _, err = run("--source", "ekinerja")
    assert code == 1
    assert "isi EKINERJA_TOKEN" in err and "EKINERJA_BASE_URL" not in err  # the operator's language: Indonesian
    assert not SyncRun.objects.exists()


def test_one_source_configured_and_all_asked_for_writes_nothing_and_points_to_source(served, settings):
    settings.BKN_SIMULATOR = False
    settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN = served(), TOKEN
    code, _, err = run()
    assert code == 1
    assert "SIASN belum dikonfigurasi" in err and "e-Kinerja" not in err and "--source" in err
    assert not SyncRun.objects.exists() and not MonthlyRecord.objects.exists()


def test_the_simulator_answers_when_asked_for(settings):
    settings.BKN_SIMULATOR, settings.BKN_SIMULATOR_ASN = True, 80
    code, out, _ = run("--source", "ekinerja")
    assert code == 0, out
    assert SyncRun.objects.get(source="ekinerja").status == SyncRun.Status.SUCCEEDED
    assert Asn.objects.exists()


def test_the_simulator_next_to_a_real_bkn_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.BKN_SIMULATOR = True
    settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN = "https://kinerja.bkn.go.id", "a-real-token"
    with pytest.raises(ImproperlyConfigured, match="EKINERJA_BASE_URL"):
        run("--source", "ekinerja")
    assert not SyncRun.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"DEBUG": "0", "DATABASE_URL": "postgres://kinerja@db/kinerja", "SECRET_KEY": "x" * 50}, "in production"),
        ({"DEBUG": "1", "EKINERJA_BASE_URL": "https://kinerja.bkn.go.id"}, "next to a real BKN"),
    ],
    ids=["production", "real-bkn"],
)
def test_settings_refuse_the_simulator_in_production_or_next_to_a_real_bkn(extra, message):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("EKINERJA_", "SIASN_", "DATABASE_URL"))}
    env.update(BKN_SIMULATOR="1", **extra)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "kapuas_kinerja.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
