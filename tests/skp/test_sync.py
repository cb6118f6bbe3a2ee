"""The real sync code against the project's BKN simulator, clean and with every fault."""

import datetime as dt

import httpx
import pytest

from opd.models import Asn, Opd
from skp import rules
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.simulator import TOKEN, Faults, Simulator
from skp.bkn.sync import sync_ekinerja
from skp.models import AnnualSkp, MonthlyRecord, Period, StatusRollup, SyncRun
from skp.rollup import aggregate
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 5, 10, 9, 0, tzinfo=rules.WIB)  # March and April 2025 are in the simulator's year


def client_for(faults=None, **retry) -> tuple[EkinerjaClient, Simulator]:
    simulator = Simulator(asn_count=120, seed=7, now=NOW, faults=faults)
    retry.setdefault("sleep", lambda seconds: None)  # backoff is real; waiting it out in tests is not needed
    return EkinerjaClient("http://bkn", TOKEN, transport=httpx.WSGITransport(app=simulator), **retry), simulator


def snapshot():
    return (
        sorted(Asn.objects.values_list("nip", "nama", "jabatan", "kind", "opd__nama", "unit__nama"), key=repr),
        sorted(
            MonthlyRecord.objects.values_list(
                "asn__nip",
                "period__month",
                "stage",
                "rated_at",
                "rating_hasil",
                "rating_perilaku",
                "predikat_bkn",
                "opd__nama",
                "unit__nama",
                "atasan__nip",
            ),
            key=repr,
        ),
        sorted(AnnualSkp.objects.values_list("asn__nip", "year", "plan_approved"), key=repr),
    )


def sync(client, **kwargs):
    return sync_ekinerja(client=client, year=2025, month=3, triggered_by="test", **kwargs)


def test_a_clean_sync_fills_an_empty_portal_and_a_second_changes_nothing():
    client, simulator = client_for()
    run = sync(client)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    rated = len(simulator.ratings(2025, 202503))
    assert run.created == rated == MonthlyRecord.objects.count()
    plans = [p for p in simulator.skp_plans(2025) if not p["is_plt_plh"]]
    assert Asn.objects.count() == len({p["nip"] for p in plans})
    assert Opd.objects.count() == 46
    assert any("OPD baru dari BKN" in note for note in run.notes)
    march = Period.objects.get(year=2025, month=3)
    assert (march.bkn_periode_id, march.bkn_batas_pengisian) == ("202503", dt.date(2025, 4, 5))
    assert march.deadline == rules.default_deadline(2025, 3)  # BKN's limit is kept, Kapuas' rules
    stored = StatusRollup.objects.filter(period=march).values_list("opd_id", "unit_id", "is_guru", "total")
    fresh = [(r["opd_id"], r["unit_id"], r["is_guru"], r["total"]) for r in aggregate(march)]
    assert sorted(stored, key=repr) == sorted(fresh, key=repr)

    assert_rollup_exact()
    before = snapshot()
    again = sync(client)
    assert (again.created, again.updated, again.unchanged) == (0, 0, rated)
    assert snapshot() == before
    assert_rollup_exact()


def test_waktu_dinilai_without_a_zone_is_wib():
    client, simulator = client_for()
    sync(client)
    row = simulator.ratings(2025, 202503)[0]
    record = MonthlyRecord.objects.get(asn__nip=row["nip"], period__month=3)
    assert record.rated_at.astimezone(rules.WIB).strftime("%Y-%m-%d %H:%M:%S") == row["waktu_dinilai"]
    assert record.payload.payload["waktu_dinilai"] == row["waktu_dinilai"]


@pytest.mark.parametrize(
    "faults",
    [
        Faults(server_errors=0.4, seed=3),
        Faults(rate_limited=0.5, retry_after=0, seed=4),
        Faults(malformed=0.4, seed=4),
        Faults(truncated=0.4, seed=7),
        Faults(server_errors=0.2, rate_limited=0.2, malformed=0.1, truncated=0.1, seed=8),
    ],
    ids=["500s", "429s", "malformed", "truncated", "all-at-once"],
)
def test_every_fault_ends_with_the_same_database_as_a_clean_run(faults):
    clean_client, _ = client_for()
    sync(clean_client)
    clean = snapshot()
    MonthlyRecord.objects.all().delete()
    AnnualSkp.objects.all().delete()
    Asn.objects.all().delete()

    client, simulator = client_for(faults, retries=12)
    run = sync(client)
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    assert snapshot() == clean
    assert len(simulator.calls) > 3  # the faults made it ask again (these seeds hit the first calls)


def test_retry_after_is_honoured():
    waits = []
    client, _ = client_for(Faults(rate_limited=1.0, retry_after=7), retries=2, sleep=waits.append)
    run = sync(client)
    assert run.status == SyncRun.Status.FAILED
    assert "429" in run.message
    assert waits and min(waits) >= 7


def test_a_refused_token_stops_at_once_and_changes_nothing():
    clean_client, _ = client_for()
    sync(clean_client)
    before = snapshot()
    client, simulator = client_for(Faults(refuse_token=True))
    run = sync(client)
    assert run.status == SyncRun.Status.FAILED
    assert "refused the token" in run.message and "EKINERJA_TOKEN" in run.message
    assert len(simulator.calls) == 1  # 401 is not retried
    assert snapshot() == before


def test_an_interrupted_sync_is_completed_by_the_next_with_nothing_lost_or_doubled():
    clean_client, _ = client_for()
    sync(clean_client)
    clean = snapshot()
    MonthlyRecord.objects.all().delete()

    class Interrupted(Exception):
        pass

    def stop_after_two_chunks(done, total):
        if done >= 20:
            raise Interrupted("worker lost")

    client, _ = client_for()
    with pytest.raises(Interrupted):
        sync(client, chunk=10, progress=stop_after_two_chunks)
    assert MonthlyRecord.objects.count() == 20
    assert SyncRun.objects.latest("started_at").status == SyncRun.Status.FAILED

    run = sync(client, chunk=10)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.created, run.unchanged) == (len(clean[1]) - 20, 20)
    assert snapshot() == clean


def test_a_rating_is_never_replaced_by_no_data():
    client, simulator = client_for()
    sync(client)
    rated = MonthlyRecord.objects.count()
    simulator._ratings_by_period.clear()  # BKN now answers: no ratings at all
    run = sync(client)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert MonthlyRecord.objects.filter(stage=rules.RATED).count() == rated


def test_a_period_bkn_does_not_list_fails_with_a_message():
    client, _ = client_for()
    run = sync_ekinerja(client=client, year=2019, month=1, triggered_by="test")
    assert run.status == SyncRun.Status.FAILED
    assert "no monthly period 2019-01" in run.message


def siasn_for(simulator, **options):
    from skp.bkn.siasn import SiasnClient
    from skp.bkn.simulator import SIASN_CREDENTIALS

    options.setdefault("sleep", lambda seconds: None)
    return SiasnClient(
        apim_url="http://apim",
        api_url="http://api",
        sso_url="http://sso",
        transport=httpx.WSGITransport(app=simulator),
        **SIASN_CREDENTIALS,
        **options,
    )


def test_siasn_brings_master_data_and_the_annual_skp():
    from skp.bkn.sync import sync_siasn

    client, simulator = client_for()
    sync(client)
    run = sync_siasn(client=siasn_for(simulator), triggered_by="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.message
    someone = Asn.objects.exclude(siasn_pns_id="").first()
    expected = simulator.data_utama(someone.nip)
    assert someone.siasn_pns_id == expected["id"]
    assert someone.phone == expected["noHp"]
    assert someone.email in (expected["email"], expected["emailGov"])
    # The simulator's year before holds annual results that reached SIASN.
    assert AnnualSkp.objects.filter(year=2024, sent_to_siasn=True, predikat="baik").exists()
    assert_rollup_exact()
    again = sync_siasn(client=siasn_for(simulator), triggered_by="test")
    assert again.updated == 0 and again.unchanged == Asn.objects.filter(is_active=True).count()


def test_expired_siasn_tokens_are_renewed_and_nothing_is_lost():
    from skp.bkn.sync import sync_siasn

    client, simulator = client_for()
    sync(client)
    clean = sync_siasn(client=siasn_for(simulator), triggered_by="test")
    before = snapshot(), sorted(Asn.objects.values_list("nip", "email", "phone", "siasn_pns_id"))
    expiring = Simulator(asn_count=120, seed=7, now=NOW, faults=Faults(expire_siasn_tokens=True))
    run = sync_siasn(client=siasn_for(expiring, concurrency=1), triggered_by="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors[:3]
    assert (snapshot(), sorted(Asn.objects.values_list("nip", "email", "phone", "siasn_pns_id"))) == before
    assert clean.status == SyncRun.Status.SUCCEEDED


def test_wrong_siasn_credentials_fail_with_a_message():
    from skp.bkn.siasn import SiasnClient
    from skp.bkn.sync import sync_siasn

    client, simulator = client_for()
    sync(client)
    wrong = SiasnClient(
        apim_url="http://a",
        api_url="http://a",
        sso_url="http://a",
        transport=httpx.WSGITransport(app=simulator),
        consumer_key="x",
        consumer_secret="y",
        client_id="z",
        username="u",
        password="p",
    )
    run = sync_siasn(client=wrong, triggered_by="test")
    assert run.status == SyncRun.Status.FAILED
    assert "SIASN_" in run.message


def test_siasn_unit_tree_sets_parents_and_heads():
    from opd.models import Unit
    from skp.bkn.sync import sync_siasn

    client, simulator = client_for()
    sync(client)
    sync_siasn(client=siasn_for(simulator), triggered_by="test")  # master data: PNS ids
    sync_siasn(client=siasn_for(simulator), triggered_by="test")  # the tree's heads resolve by PNS id
    school = Unit.objects.filter(nama__startswith="SD Negeri").select_related("parent", "head").first()
    assert school.parent.nama == "Bidang Pembinaan Sekolah Dasar"
    assert school.head is not None and school.head.nip == simulator.data.unit_heads[("DISDIK", school.nama)]
    disdik = Opd.objects.get(nama="Dinas Pendidikan")
    assert disdik.head.nip == simulator.data.opd_heads["DISDIK"]
    assert disdik.siasn_unor_id == simulator.unor_id("Dinas Pendidikan")
