"""seed_demo: the demo regency, brought in through the sync code from what the simulator says BKN holds."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from opd.models import Asn, Opd, Unit, User
from skp import rules
from skp.bkn.simulator import Simulator
from skp.models import Exemption, MonthlyRecord, RecordPayload, Source, SyncRun

pytestmark = pytest.mark.django_db


def seed(*args, asn="400"):
    out = StringIO()
    call_command("seed_demo", "--asn", asn, "--year", "2025", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot():
    return (
        sorted(Asn.objects.values_list("nip", "nama", "kind", "jabatan", "opd__kode", "unit__nama", "atasan__nip")),
        sorted(
            MonthlyRecord.objects.values_list(
                "asn__nip", "period__month", "stage", "rated_at", "rating_hasil", "atasan__nip", "unit__nama"
            )
        ),
        sorted(Unit.objects.values_list("opd__kode", "nama", "parent__nama", "head__nip")),
        sorted(Exemption.objects.values_list("asn__nip", "kind", "start", "end")),
    )


def test_the_demo_regency_comes_in_through_the_sync_code():
    output = seed()
    assert Opd.objects.count() == 46
    assert Unit.objects.filter(opd__kode="DISDIK", nama__startswith="SD Negeri", parent__isnull=False).exists()
    assert Unit.objects.filter(opd__kode="DINKES", nama__startswith="Puskesmas", head__isnull=False).exists()
    assert Unit.objects.filter(opd__kode="KEC-SELAT", nama__startswith="Kelurahan").exists()
    assert not Opd.objects.filter(head__isnull=True).exists()  # SIASN's unit tree names every OPD's head
    disdik = Asn.objects.filter(opd__kode="DISDIK")
    assert disdik.filter(is_guru=True).count() > disdik.count() * 0.7
    assert Asn.objects.filter(kind="pppk").exists()
    assert "kinerja-demo" in output
    assert set(User.objects.values_list("role", flat=True)) == set(User.Role.values)

    # Every record came the way BKN's data comes: a sync run per month and SIASN, raw payloads kept.
    runs = SyncRun.objects.filter(triggered_by="seed_demo")
    assert sorted(runs.filter(source="ekinerja").values_list("period_key", flat=True)) == [
        f"2025-{m:02d}" for m in range(1, 13)
    ]
    assert runs.filter(source="siasn").exists()
    assert set(runs.values_list("status", flat=True)) == {SyncRun.Status.SUCCEEDED}
    assert set(MonthlyRecord.objects.values_list("source", flat=True)) == {Source.EKINERJA}
    assert RecordPayload.objects.count() == MonthlyRecord.objects.count()
    assert Exemption.objects.exists()  # BKPSDM's own entries, written by the seed
    assert not MonthlyRecord.objects.filter(rated_at__gt=dt.datetime.now(tz=rules.WIB)).exists()

    out = StringIO()
    call_command("compliance", "--period", "2025-06", "--format", "json", stdout=out)
    summary = json.loads(out.getvalue())["summary"]
    assert summary["on_time"] > summary["late"] > 0
    assert summary["overdue"] > 0
    assert sum(summary.values()) >= 400


def test_running_it_twice_changes_nothing():
    seed(asn="200")
    before = snapshot()
    output = seed(asn="200")
    assert "created opd 0, unit 0, asn 0, record 0, annual_skp 0, exemption 0, user 0" in output
    assert snapshot() == before


def test_the_same_seed_gives_the_same_data_again():
    seed("--seed", "7", asn="200")
    first = snapshot()
    MonthlyRecord.objects.all().delete()
    Exemption.objects.all().delete()
    User.objects.all().delete()
    Opd.objects.update(head=None)
    Unit.objects.update(head=None, parent=None)
    Asn.objects.all().delete()
    Unit.objects.all().delete()
    seed("--seed", "7", asn="200")
    assert snapshot() == first


def test_appraisers_and_stages_are_what_the_sync_derives_from_the_simulator_rows():
    seed(asn="200")
    simulator = Simulator(asn_count=200, seed=2025, periods=[(2025, m) for m in range(1, 13)])
    june = simulator.penilaian(2025, simulator.period_ref(2025, 6))
    unrated = [r for r in june if not r["waktu_dinilai"] and not r["is_skp_plt_plh_pjb"]]
    assert unrated
    for row in unrated:
        record = MonthlyRecord.objects.select_related("atasan").get(asn__nip=row["nip"], period__month=6)
        if record.stage == rules.RATED:
            continue  # a transfer's other post was rated: that row wins
        assert record.stage == rules.SUBMITTED
        assert record.atasan.nip == row["pegawai_atasan_nip"]
    # Each ASN's current appraiser is the one their newest row names (acting heads of vacant units included).
    newest = {}
    for month in range(1, 13):
        for row in simulator.penilaian(2025, simulator.period_ref(2025, month)) or []:
            if not row["is_skp_plt_plh_pjb"] and row["pegawai_atasan_nip"]:
                newest[row["nip"]] = row["pegawai_atasan_nip"]
    current = dict(Asn.objects.filter(nip__in=newest).values_list("nip", "atasan__nip"))
    assert current == newest
    part_time = [p.nip for p in simulator.data.asn if p.kind_name == "PPPK Paruh Waktu"]
    assert part_time and set(Asn.objects.filter(nip__in=part_time).values_list("kind", flat=True)) == {"pppk"}


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--asn", "3")
