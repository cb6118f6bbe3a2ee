"""The BKN simulator serves what BKN would: the shapes the sync and the demo rely on."""

import datetime as dt
from collections import Counter
from functools import cache

import httpx
import pytest

from skp import rules
from skp.bkn.answers import Shapes
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.simulator import TOKEN, Simulator

NOW = dt.datetime(2025, 7, 10, 9, 0, tzinfo=rules.WIB)  # June 2025 is being chased; May is past its deadline


@cache
def simulator(shapes: Shapes | None = None) -> Simulator:
    return Simulator(asn_count=600, seed=2025, now=NOW, shapes=shapes)


def rows(year: int, month: int, sim: Simulator | None = None) -> list[dict]:
    sim = sim or simulator()
    return sim.penilaian(year, sim.period_ref(year, month))


def test_penilaian_lists_rated_and_unrated_rows_and_an_unrated_row_names_its_appraiser():
    may = [r for r in rows(2025, 5) if not r["is_skp_plt_plh_pjb"]]
    rated = [r for r in may if r["waktu_dinilai"]]
    unrated = [r for r in may if not r["waktu_dinilai"]]
    assert rated and unrated
    assert all(r["hasil_akhir"] and r["hasil_kerja"] for r in rated)
    assert {r["hasil_akhir"] for r in unrated} == {"-", ""}  # e-Kinerja writes both
    assert all(r["hasil_kerja"] == r["perilaku_kerja"] == r["hasil_akhir"] for r in unrated)
    assert all(r["pegawai_atasan_nip"] for r in unrated)
    assert {r["nip"] for r in simulator().ratings(2025, 202505)} == {r["nip"] for r in rated}
    assert not rows(2025, 7)  # the month under way: nothing filed yet


def test_vacant_units_have_no_head_and_their_staff_rows_name_the_acting_head():
    sim = simulator()
    staff_of = {}
    for p in sim.data.asn:
        if not p.moved:
            staff_of.setdefault((p.opd, p.unit), set()).add(p.nip)
    (kode, unit), plt = next((place, plt) for place, plt in sim.data.acting_heads.items() if staff_of.get(place))
    tree = {r["Id"]: r for r in sim.ref_unor()}
    opd_name = next(row["nama"] for row in sim.data.opds if row["kode"] == kode)
    assert tree[sim.unor_id(opd_name, unit)]["PemimpinPnsId"] is None
    staff = staff_of[(kode, unit)]
    theirs = [r for month in range(1, 7) for r in rows(2025, month) if r["nip"] in staff]
    assert theirs and {r["pegawai_atasan_nip"] for r in theirs} == {plt}
    assert all(r["pegawai_atasan_jabatan"].startswith("Plt. ") for r in theirs)
    acting = [p for p in sim.skp_plans(2025) if p["nip"] == plt and p["is_plt_plh"]]
    assert acting and acting[0]["skp_jabatan"].startswith("Plt. ")


def test_ratings_come_in_a_rush_in_the_last_days_before_the_15th():
    deadline = rules.default_deadline(2025, 4)
    days = Counter()
    for row in rows(2025, 4):
        if row["waktu_dinilai"]:
            moment = rules.aware(dt.datetime.fromisoformat(row["waktu_dinilai"]))
            if moment <= deadline:
                days[(deadline - moment).days] += 1
    last_three = (days[0] + days[1] + days[2]) / 3
    the_twelve_before = sum(days[d] for d in range(3, 15)) / 12
    assert last_three > 3 * the_twelve_before  # per day: no flat rate


def test_pppk_as_public_code_reads_them():
    sim = simulator()
    assert {r["jenis_pegawai"] for r in rows(2025, 5)} == {"PNS", "PPPK"}
    kinds = Counter(sim.data_utama(p.nip)["jenisPegawaiNama"] for p in sim.data.asn)
    assert set(kinds) == {"PNS", "PPPK", "PPPK Paruh Waktu"}
    pppk = [p.nip for p in sim.data.asn if p.kind == "pppk"]
    assert any(int(nip[12:14]) > 12 for nip in pppk)  # the agreement counter, not a month


def test_rw_kinerjaperiodik_names_the_appraiser_under_either_key():
    sim = simulator()
    keys = Counter()
    for row in rows(2025, 4):
        if not row["waktu_dinilai"] or row["is_skp_plt_plh_pjb"]:
            continue
        entry = next(e for e in sim.rw_kinerjaperiodik(row["nip"]) if (e["tahun"], e["bulan"]) == (2025, 4))
        key = "penilaiNipNrp" if "penilaiNipNrp" in entry else "nipNrpPenilai"
        keys[key] += 1
        assert entry[key] == row["pegawai_atasan_nip"]
        assert entry["hasilKinerjaNilai"] in (1, 2, 3)
    assert set(keys) == {"penilaiNipNrp", "nipNrpPenilai"}


def test_a_transfer_within_a_month_gives_two_rows_of_different_skp():
    sim = Simulator(asn_count=3000, seed=2025, now=NOW)
    moved = [p for p in sim.data.asn if p.moved and p.moved.key < (2025, 6)]
    assert moved
    found = False
    for p in moved:
        theirs = [r for r in rows(*p.moved.key, sim) if r["nip"] == p.nip]
        if len(theirs) == 2:
            found = True
            old, new = sorted(theirs, key=lambda r: r["periode_akhir_skp"])
            assert old["skp_id"] != new["skp_id"] and old["skp_unor"] != new["skp_unor"]
            assert dt.date.fromisoformat(old["periode_akhir_skp"]) < dt.date.fromisoformat(new["periode_awal_skp"])
            if not sim.shapes.rated_transfers:
                assert not old["waktu_dinilai"]  # the old post's row waits unrated (the sync before realdata)
    assert found


def test_a_new_appointment_starts_with_the_month_of_its_first_plan():
    sim = simulator()
    hired = next(p for p in sim.data.asn if p.start and p.start[0] == 2025 and p.start[1] > 1)
    plan = next(x for x in sim.skp_plans(2025) if x["nip"] == hired.nip)
    assert plan["periode_awal"] == f"2025-{hired.start[1]:02d}-01"
    assert not [r for r in rows(2025, hired.start[1] - 1) if r["nip"] == hired.nip]


def test_period_dates_come_in_several_shapes_and_uuid_ids_when_asked_for():
    plain = simulator(Shapes.plain()).periods()
    assert {len(p["batas_pengisian"]) for p in plain if p["tipe_periodik"] == "bulanan"} == {10, 19, 25}
    assert all(isinstance(p["id"], int) for p in plain)
    every = simulator(Shapes.every())
    listed = every.periods()
    ids = [p["id"] for p in listed if p["tipe_periodik"] == "bulanan"]
    assert any(isinstance(i, str) and len(i) == 36 for i in ids) and any(isinstance(i, int) for i in ids)
    assert any(p["batas_pengisian"][2] == "-" for p in listed)  # dd-mm-yyyy
    client = EkinerjaClient("http://bkn", TOKEN, transport=httpx.WSGITransport(app=every))
    assert client.rating_rows(2025, every.period_ref(2025, 4))  # the UUID answers over HTTP


def test_the_same_seed_serves_the_same_rows():
    again = Simulator(asn_count=600, seed=2025, now=NOW)
    assert again.penilaian(2025, 202505) == rows(2025, 5)
    assert again.skp_plans(2025) == simulator().skp_plans(2025)
    assert Simulator(asn_count=600, seed=2026, now=NOW).penilaian(2025, 202505) != rows(2025, 5)


@pytest.mark.django_db
def test_every_shape_syncs_uuid_ids_dmy_dates_and_a_transfer_rated_twice():
    from skp.bkn.sync import sync_ekinerja
    from skp.models import MonthlyRecord, Period, SyncRun

    every = Simulator(asn_count=3000, seed=2025, now=NOW, shapes=Shapes.every())
    client = EkinerjaClient("http://bkn", TOKEN, transport=httpx.WSGITransport(app=every))
    for month in (3, 4):  # a numeric and a UUID id
        run = sync_ekinerja(client=client, year=2025, month=month, triggered_by="test")
        assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors[:3])
    assert Period.objects.get(year=2025, month=4).bkn_periode_id == every.period_ref(2025, 4)
    expected = {r["nip"] for r in rows(2025, 4, every) if not r["is_skp_plt_plh_pjb"]}
    assert set(MonthlyRecord.objects.filter(period__month=4).values_list("asn__nip", flat=True)) == expected
