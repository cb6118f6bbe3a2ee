"""BKN down for a day: nothing deleted, and the pages say the data is stale.

The other faults: a broker that is down (tests/reminders/test_views.py), a worker
killed mid-sync or mid-send (tests/skp/test_sync.py, tests/reminders/test_outbox.py),
PostgreSQL and Redis restarted under load (faults/run.sh). `make faults` runs them all.
"""

import datetime as dt
import socket

import pytest
from django.utils import timezone

from opd.models import User
from skp import rules
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.sync import sync_ekinerja
from skp.models import MonthlyRecord, SyncRun
from skp.rollup import refresh_rollup
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, asn_user


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_bkn_down_for_a_day_deletes_nothing_and_the_pages_say_the_data_is_stale(client):
    year, month = rules.previous_period(dt.date.today())
    period = PeriodFactory(year=year, month=month)
    dinkes = OpdFactory(kode="DINKES")
    rated = RecordFactory(
        asn=AsnFactory(opd=dinkes), period=period, rated=True, rated_at=timezone.now() - dt.timedelta(days=3)
    )
    RecordFactory(asn=AsnFactory(opd=dinkes), period=period)
    MonthlyRecord.objects.update(last_synced_at=timezone.now() - dt.timedelta(days=1, hours=1))
    refresh_rollup()
    before = list(MonthlyRecord.objects.order_by("pk").values())

    client_down = EkinerjaClient(f"http://127.0.0.1:{dead_port()}", "token", retries=2, backoff=0.01)
    run = sync_ekinerja(client=client_down, year=year, month=month, triggered_by="test")
    assert run.status == SyncRun.Status.FAILED and run.message
    assert list(MonthlyRecord.objects.order_by("pk").values()) == before
    rated.refresh_from_db()
    assert rated.rated_at is not None

    client.force_login(asn_user(AsnFactory(opd=dinkes), User.Role.KEPALA_OPD, dinkes))
    page = client.get("/opd/DINKES/").content.decode()
    assert 'class="freshness stale"' in page and "lebih dari sehari" in page
