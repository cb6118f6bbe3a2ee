"""BKN-shaped data (tests/fixtures/bkn/api, copied from the public samples and made dirtier) through
`import_bkn` and the real sync code: stages, appraisers, transfers, ids, dates and the population."""

import copy
import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from django.utils import timezone

from opd.access import Scope
from opd.models import Asn, Opd, Unit
from skp import rules
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.imports import import_file
from skp.bkn.sync import sync_ekinerja
from skp.models import AnnualSkp, MonthlyRecord, Period, SyncRun
from skp.selectors import compliance_report
from tests.factories import bkpsdm_staff, export_xlsx
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db
API = Path(__file__).resolve().parent.parent / "fixtures" / "bkn" / "api"
EVERYONE = Scope(role="system", all_opd=True)
MARCH_ID = "3f1c2a9e-8d7b-4c1e-9a5f-2b6d7e8f9a01"
FEBRUARY_ID = "0b7e51d2-6a3c-4f08-8e6d-1c2b3a4d5e6f"

WAITING_DASH = "197805012008092249"  # hasil_akhir "-": filed, waiting for 197210222002031149
WAITING_BLANK = "198912182019032290"  # hasil_akhir blank: filed, waiting for 197401171998081683
MOVED = "197707212009091730"  # Bidang Anggaran until 14 March, Bidang Akuntansi from the 15th
NEW_BOSS = "197003281998112580"
NEW_APPRAISER = "196512121990031005"  # named by one row, unknown to the plans
LATE_HIRE = "199410112020101504"  # their only plan of 2025 starts 1 March


def load(name):
    return json.loads((API / name).read_text())


def bkn_data() -> dict:
    """The samples with what real exports also hold: unrated rows, a transfer, UUIDs, mixed date shapes."""
    periods = load("referensi-periode.json")
    for row in periods:
        row["id"] = f"{row['id']:08d}-0000-4000-8000-000000000000"  # UUIDs, as some installations send
    shapes = {1: "2025-02-05 23:59:59", 2: "2025-03-05T23:59:59+07:00", 3: "05-04-2025 23:59:59", 4: "05-05-2025"}
    for row in periods:
        if row["tahun"] == 2025 and row["tipe_periodik"] == "bulanan" and row["angka_periodik"] in shapes:
            row["batas_pengisian"] = shapes[row["angka_periodik"]]
            row["id"] = {3: MARCH_ID, 2: FEBRUARY_ID}.get(row["angka_periodik"], row["id"])
            if row["angka_periodik"] == 3:
                row["periode_awal"], row["periode_akhir"] = "01-03-2025", "31-03-2025 23:59:59"
    periods.append({"id": "rusak", "nama": "Periodik Bulanan Rusak", "tahun": None, "angka_periodik": None,
                    "tipe_periodik": "bulanan", "periode_awal": "kemarin", "batas_pengisian": None})  # fmt: skip
    rows = load("laporan-penilaian-2025-5503.json")
    for row in rows:
        row["periode_id"] = MARCH_ID
        if row["nip"] == WAITING_DASH:
            row.update(hasil_kerja="-", perilaku_kerja="-", hasil_akhir="-", waktu_dinilai="-")
        if row["nip"] == WAITING_BLANK:
            row.update(hasil_kerja=None, perilaku_kerja=None, hasil_akhir="", waktu_dinilai=None)
    for row in rows:
        if row["nip"] == "197805012008092249":
            continue
        if row["skp_unor"] == "Bidang Aset":
            row.update(pegawai_atasan_nip=NEW_APPRAISER, pegawai_atasan_nama="Drs. Penilai Baru, M.Si.",
                       pegawai_atasan_unor="Bidang Aset", pegawai_atasan_unor_id="30e9fa36b76bab99300c134b438134c0",
                       pegawai_atasan_jabatan="Kepala Bidang Aset")  # fmt: skip
            break
    plans = load("laporan-skp-2025.json")
    next(p for p in plans if p["nip"] == LATE_HIRE)["periode_awal"] = "01-03-2025"
    moved = next(r for r in rows if r["nip"] == MOVED)
    moved["periode_akhir_skp"] = "14-03-2025"
    rows.append(
        {
            **copy.deepcopy(moved),
            "id": 779999,
            "skp_id": "7c1d9e0f-1111-4a2b-8c3d-4e5f6a7b8c9d",
            "skp_unor": "Bidang Akuntansi",
            "skp_unor_id": "a1eee74cbe610029587af0192ac691de",
            "periode_awal_skp": "2025-03-15T00:00:00+07:00",
            "periode_akhir_skp": "2025-12-31",
            "hasil_kerja": "SESUAI EKSPEKTASI",
            "perilaku_kerja": "SESUAI EKSPEKTASI",
            "hasil_akhir": "BAIK",
            "pegawai_atasan_nip": NEW_BOSS,
            "waktu_dinilai": "2025-04-18 10:00:00",
        }
    )
    return {"periods": periods, "plans": plans, "penilaian": {MARCH_ID: rows}}


class FakeBkn:
    """e-Kinerja's three endpoints answering `data`, as a WSGI app for httpx.WSGITransport."""

    def __init__(self, data: dict, *, fail_bulk: bool = False, failing_nips=()):
        self.data, self.fail_bulk, self.failing_nips, self.calls = data, fail_bulk, set(failing_nips), []

    def __call__(self, environ, start_response):
        path, query = environ["PATH_INFO"], parse_qs(environ.get("QUERY_STRING", ""))
        self.calls.append((path, query.get("nip", [None])[0]))
        status, body = "200 OK", None
        if path == "/api_kinerja/referensi/periode":
            body = self.data["periods"]
        elif re.fullmatch(r"/api_kinerja/laporan/skp/2025", path):
            body = self.data["plans"]
        elif match := re.fullmatch(r"/api_kinerja/laporan/penilaian/2025/([^/]+)", path):
            body = self.data["penilaian"].get(match[1], [])
            if "nip" in query and (query["nip"][0] in self.failing_nips or "*" in self.failing_nips):
                status, body = "503 Service Unavailable", {"message": "busy"}
            elif "nip" in query:
                body = [r for r in body if r["nip"] == query["nip"][0]]
            elif self.fail_bulk:
                status, body = "500 Internal Server Error", {"message": "timeout"}
        if body is None:
            status, body = "404 Not Found", {"message": "not found"}
        text = json.dumps(body if status != "200 OK" else {"data": body}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(text)))])
        return [text]


def synced(app: FakeBkn, year=2025, month=3) -> SyncRun:
    client = EkinerjaClient("http://bkn", "token", transport=httpx.WSGITransport(app=app), sleep=lambda s: None)
    run = sync_ekinerja(client=client, year=year, month=month, triggered_by="test")
    assert_rollup_exact()
    return run


def xlsx(path, title, rows):
    header = list(dict.fromkeys(key for row in rows for key in row))
    return export_xlsx(path, header, [[row.get(key) for key in header] for row in rows], title)


def imported(tmp_path, data) -> None:
    title = ["LAPORAN SKP TAHUN 2025", "Instansi Pemerintah Kabupaten Kapuas"]
    plans = xlsx(tmp_path / "skp.xlsx", title, data["plans"])
    import_file(plans, triggered_by="test")
    assert_rollup_exact()
    title = ["LAPORAN PENILAIAN SKP PERIODIK TAHUN 2025", "Periode: Bulanan - Maret 2025"]
    import_file(xlsx(tmp_path / "penilaian.xlsx", title, data["penilaian"][MARCH_ID]), triggered_by="test")
    assert_rollup_exact()


def chase(period=(2025, 3), as_of=None) -> dict:
    """The compliance rows by NIP, as they stand now (when the portal first saw a filing is now)."""
    as_of = as_of or timezone.now()
    report = compliance_report(period=Period.objects.get(year=period[0], month=period[1]), as_of=as_of, scope=EVERYONE)
    keys = ("stage", "status", "must_act", "atasan_nip", "opd", "unor", "rated_at", "predikat", "deadline")
    return {row["nip"]: {key: row[key] for key in keys} for row in report["rows"]}


def wipe():
    MonthlyRecord.objects.all().delete()
    AnnualSkp.objects.all().delete()
    Opd.objects.update(head=None)
    Unit.objects.update(head=None)
    Asn.objects.all().delete()
    Unit.objects.all().delete()
    Opd.objects.all().delete()
    Period.objects.all().delete()


def test_import_and_sync_of_the_same_bkn_data_give_the_same_chase(tmp_path):
    data = bkn_data()
    imported(tmp_path, data)
    by_import = chase()
    wipe()
    run = synced(FakeBkn(data))
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors[:3])
    by_sync = chase()
    assert by_sync == by_import

    # Filed and waiting: the appraiser the row names must act, and the JSON says who.
    assert by_sync[WAITING_DASH] | {"rated_at": None} == {
        **by_sync[WAITING_DASH],
        "stage": "submitted",
        "status": "overdue",
        "must_act": "atasan",
        "atasan_nip": "197210222002031149",
        "rated_at": None,
    }
    blank = by_sync[WAITING_BLANK]
    assert (blank["stage"], blank["must_act"], blank["atasan_nip"]) == ("submitted", "atasan", "197401171998081683")
    # A transfer on 15 March: the later SKP wins, the record keeps its unit and appraiser.
    moved = by_sync[MOVED]
    assert (moved["unor"], moved["atasan_nip"], moved["status"]) == ("Bidang Akuntansi", NEW_BOSS, "late")
    assert by_sync[MOVED]["deadline"] == "2025-04-15T23:59:59+07:00"
    # Rated rows: on time up to 15 April 23:59:59 WIB, whatever the shape of waktu_dinilai.
    assert by_sync["197003211998031945"]["status"] == "on_time"
    assert by_sync["197805012008092249"]["must_act"] == "atasan"
    # Nobody who filed is asked to file; nobody unrated lacks an appraiser where a row named one.
    assert not [n for n, r in by_sync.items() if r["must_act"] == "asn" and r["stage"] != "not_started"]


def test_an_appraiser_bkn_names_but_the_portal_lacks_is_created_outside_the_population(tmp_path):
    data = bkn_data()
    run = synced(FakeBkn(data))
    plan_nips = {p["nip"] for p in data["plans"]}
    unknown = {r["pegawai_atasan_nip"] for r in data["penilaian"][MARCH_ID] if r["pegawai_atasan_nip"]} - plan_nips
    assert unknown == {NEW_APPRAISER}
    boss = Asn.objects.get(nip=NEW_APPRAISER)
    assert (boss.nama, boss.opd.nama, boss.unit.nama) == ("Drs. Penilai Baru, M.Si.", "Badan Keuangan dan Aset Daerah",
                                                          "Bidang Aset")  # fmt: skip
    assert boss.known_only_as_appraiser and boss.nama
    assert any(boss.nip in note and "penilai baru" in note.lower() for note in run.notes), run.notes
    assert boss.nip not in chase()
    assert Asn.objects.filter(atasan=boss).exists()


def test_the_current_appraiser_is_the_newest_month_s_and_a_manual_one_survives(client):
    data = bkn_data()
    synced(FakeBkn(data))
    moved = Asn.objects.get(nip=MOVED)
    assert (moved.atasan.nip, moved.atasan_source) == (NEW_BOSS, Asn.AtasanSource.EKINERJA)
    assert moved.atasan_as_of == dt.date(2025, 3, 1)

    # February names the old appraiser: an older month does not replace March's.
    feb = copy.deepcopy(data["penilaian"][MARCH_ID])
    for row in feb:
        row["periode_id"] = FEBRUARY_ID
    data["penilaian"][FEBRUARY_ID] = [r for r in feb if r["id"] != 779999]
    synced(FakeBkn(data), month=2)
    moved.refresh_from_db()
    assert moved.atasan.nip == NEW_BOSS
    assert MonthlyRecord.objects.get(asn=moved, period__month=2).atasan.nip == "197401171998081683"

    # BKPSDM sets another appraiser in the admin panel: audited, and the next sync keeps it.
    from auditlog.models import LogEntry

    from skp.rollup import refresh_rollup

    admin = bkpsdm_staff()
    refresh_rollup()  # the admin's own ASN was made by a factory, not by a write path
    client.force_login(admin)
    chosen = Asn.objects.get(nip="197401171998081683")
    form = {"nip": moved.nip, "nama": moved.nama, "kind": moved.kind, "opd": moved.opd_id, "unit": moved.unit_id,
            "atasan": chosen.pk, "is_active": "on"}  # fmt: skip
    response = client.post(f"/admin/opd/asn/{moved.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:1500]
    moved.refresh_from_db()
    assert (moved.atasan_id, moved.atasan_source) == (chosen.pk, Asn.AtasanSource.MANUAL)
    assert LogEntry.objects.get_for_object(moved).filter(changes__icontains="atasan").exists()
    assert_rollup_exact()
    synced(FakeBkn(data))
    moved.refresh_from_db()
    assert (moved.atasan_id, moved.atasan_source) == (chosen.pk, Asn.AtasanSource.MANUAL)

    # The ASN's page names the appraiser in use, where it came from, and links a wrong-appraiser ticket.
    page = client.get(f"/asn/{moved.nip}/").content.decode()
    assert chosen.nama in page and "ditetapkan BKPSDM" in page
    assert f"?nip={moved.nip}&amp;periode=" in page and "kategori=data" in page
    form_page = client.get(f"/bantuan/baru/?nip={moved.nip}&kategori=data").content.decode()
    assert 'value="data" selected' in form_page


def test_a_later_rating_turns_submitted_rated_and_an_unrated_row_never_replaces_a_rating():
    data = bkn_data()
    synced(FakeBkn(data))
    record = MonthlyRecord.objects.get(asn__nip=WAITING_DASH, period__month=3)
    assert (record.stage, record.atasan.nip) == (rules.SUBMITTED, "197210222002031149")
    first_seen = record.submitted_at
    assert first_seen is not None  # when the portal first saw the filing: BKN does not say when

    row = next(r for r in data["penilaian"][MARCH_ID] if r["nip"] == WAITING_DASH)
    row.update(hasil_kerja="SESUAI EKSPEKTASI", perilaku_kerja="SESUAI EKSPEKTASI", hasil_akhir="BAIK",
               waktu_dinilai="2025-04-14T10:00:00+07:00")  # fmt: skip
    synced(FakeBkn(data))
    record.refresh_from_db()
    assert (record.stage, record.submitted_at, chase()[WAITING_DASH]["status"]) == (rules.RATED, first_seen, "on_time")

    row.update(hasil_kerja="-", perilaku_kerja="-", hasil_akhir="-", waktu_dinilai=None)
    synced(FakeBkn(data))
    record.refresh_from_db()
    assert record.stage == rules.RATED

    data["penilaian"][MARCH_ID] = []  # no data at all: still rated
    synced(FakeBkn(data))
    assert MonthlyRecord.objects.get(pk=record.pk).stage == rules.RATED


def test_uuid_ids_every_date_shape_and_an_unreadable_period_is_skipped_and_listed():
    run = synced(FakeBkn(bkn_data()))
    assert run.status == SyncRun.Status.SUCCEEDED
    march = Period.objects.get(year=2025, month=3)
    assert (march.bkn_periode_id, march.bkn_batas_pengisian) == (MARCH_ID, dt.date(2025, 4, 5))
    assert Period.objects.get(year=2025, month=2).bkn_batas_pengisian == dt.date(2025, 3, 5)
    assert Period.objects.get(year=2025, month=1).bkn_batas_pengisian == dt.date(2025, 2, 5)
    assert Period.objects.get(year=2025, month=4).bkn_batas_pengisian == dt.date(2025, 5, 5)
    assert any("Periodik Bulanan Rusak" in note for note in run.notes), run.notes


def test_a_failed_bulk_call_falls_back_to_one_call_per_nip_with_the_same_result(tmp_path):
    data = bkn_data()
    synced(FakeBkn(data))
    clean = chase()
    wipe()
    app = FakeBkn(data, fail_bulk=True)
    run = synced(app)
    assert run.status == SyncRun.Status.SUCCEEDED, (run.message, run.errors[:3])
    assert chase() == clean
    per_nip = [nip for path, nip in app.calls if nip]
    assert len(per_nip) >= len({p["nip"] for p in data["plans"]})
    assert any("untuk setiap" in note or "for each" in note for note in run.notes), run.notes


def test_the_population_starts_with_the_month_service_starts_and_every_period_stays_exact():
    data = bkn_data()
    hired_in_march = LATE_HIRE
    synced(FakeBkn(data))  # March: the periods, the plans, the ratings
    assert AnnualSkp.objects.get(asn__nip=hired_in_march, year=2025).periode_awal == dt.date(2025, 3, 1)
    for month, expected in ((1, False), (2, False), (3, True)):
        listed = hired_in_march in chase((2025, month))
        assert listed is expected, month

    # A later sync brings a new hire of January: January and February's stored totals follow.
    from skp.rollup import refresh_rollup

    refresh_rollup()
    newcomer = {**data["plans"][0], "nip": "199001012015011002", "nama": "Pegawai Baru", "skp_id": "baru",
                "periode_awal": "2025-01-01"}  # fmt: skip
    data["plans"].append(newcomer)
    synced(FakeBkn(data))
    assert "199001012015011002" in chase((2025, 1))


class FakeSiasn:
    """SIASN's gateway and SSO tokens and its per-NIP endpoints, from the samples, wrapped as {"code": 1, "data": …}."""

    def __init__(self, people: dict, periodic: dict, annual: dict, unor: list):
        self.people, self.periodic, self.annual, self.unor = people, periodic, annual, unor

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path in ("/oauth2/token", "/auth/realms/public-siasn/protocol/openid-connect/token"):
            body = {"access_token": "t", "expires_in": 3600}
        elif path == "/apisiasn/1.0/referensi/ref-unor":
            body = {"code": 1, "data": self.unor}
        elif match := re.fullmatch(r"/apisiasn/1.0/pns/(data-utama|rw-kinerjaperiodik|rw-skp22)/(\d{18})", path):
            source = {"data-utama": self.people, "rw-kinerjaperiodik": self.periodic, "rw-skp22": self.annual}
            found = source[match[1]].get(match[2])
            body = None if found is None else {"code": 1, "data": found}
        else:
            body = None
        status = "200 OK" if body is not None else "404 Not Found"
        text = json.dumps(body or {"code": 0}).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(text)))])
        return [text]


def siasn_synced(app):
    from skp.bkn.siasn import SiasnClient
    from skp.bkn.sync import sync_siasn

    client = SiasnClient(apim_url="http://apim", api_url="http://api", sso_url="http://sso",
                         transport=httpx.WSGITransport(app=app), consumer_key="k", consumer_secret="s",
                         client_id="c", username="u", password="p", sleep=lambda s: None)  # fmt: skip
    run = sync_siasn(client=client, triggered_by="test")
    assert_rollup_exact()
    return run


def test_siasn_names_appraisers_kinds_and_unit_heads_where_e_kinerja_named_none():
    data = bkn_data()
    data["penilaian"] = {}  # e-Kinerja names no appraiser: SIASN and the unit tree decide
    synced(FakeBkn(data))
    people = load("siasn-data-utama.json")
    periodic, annual = load("siasn-rw-kinerjaperiodik.json"), load("siasn-rw-skp22.json")
    pppk = next(nip for nip, p in people.items() if p["jenisPegawaiNama"] == "PPPK")
    odd = next(nip for nip, p in people.items() if p["jenisPegawaiNama"] == "PPPK" and nip != pppk)
    Asn.objects.filter(nip__in=[pppk, odd]).update(kind=Asn.Kind.PPPK)
    people[pppk]["jenisPegawaiNama"] = "PPPK Paruh Waktu"
    people[odd]["jenisPegawaiNama"] = "Tenaga Honorer"
    # Someone whose SIASN history names nobody: the head of their unit, from ref-unor.
    plain = next(n for n, p in people.items() if p["unorNama"] == "Bidang Anggaran" and n != "197401171998081683")
    periodic.pop(plain, None)
    annual.pop(plain, None)
    app = FakeSiasn(people, periodic, annual, load("siasn-ref-unor.json"))
    siasn_synced(app)
    run = siasn_synced(app)  # the tree's heads resolve by the PNS ids the first run brought
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors[:3]

    assert Asn.objects.get(nip=pppk).kind == Asn.Kind.PPPK
    assert Asn.objects.get(nip=odd).kind == Asn.Kind.PPPK  # an unknown word keeps what was known…
    assert any(odd in note and "Tenaga Honorer" in note for note in run.notes)  # …and is listed

    someone = next(n for n, rows in periodic.items() if rows and Asn.objects.filter(nip=rows[0]["penilaiNipNrp"]))
    asn = Asn.objects.select_related("atasan").get(nip=someone)
    assert (asn.atasan.nip, asn.atasan_source) == (periodic[someone][0]["penilaiNipNrp"], Asn.AtasanSource.SIASN)

    head = Unit.objects.get(nama="Bidang Anggaran").head
    asn = Asn.objects.get(nip=plain)
    assert head is not None and (asn.atasan_id, asn.atasan_source) == (head.pk, Asn.AtasanSource.UNIT_HEAD)
    # The unit head's own appraiser is never themself: the tree is climbed to the OPD's head.
    if head.atasan_source == Asn.AtasanSource.UNIT_HEAD:
        assert head.atasan_id == Opd.objects.get(nama="Badan Keuangan dan Aset Daerah").head_id != head.pk

    # e-Kinerja's rows come first: a sync naming an appraiser replaces SIASN's and the unit head's.
    data = bkn_data()
    synced(FakeBkn(data))
    moved = Asn.objects.get(nip=MOVED)
    assert (moved.atasan.nip, moved.atasan_source) == (NEW_BOSS, Asn.AtasanSource.EKINERJA)
    siasn_synced(app)
    moved.refresh_from_db()
    assert (moved.atasan.nip, moved.atasan_source) == (NEW_BOSS, Asn.AtasanSource.EKINERJA)


def test_a_unit_bkn_renamed_is_the_same_unit_once_its_id_is_known():
    data = bkn_data()
    synced(FakeBkn(data))
    unit = Unit.objects.get(nama="Bidang Anggaran")
    assert unit.siasn_unor_id == "51e429bec129f1f683d2b19e538af6ea"
    records = set(MonthlyRecord.objects.filter(unit=unit).values_list("pk", flat=True))
    for row in data["penilaian"][MARCH_ID]:
        if row["skp_unor_id"] == unit.siasn_unor_id:
            row["skp_unor"] = "Bidang Anggaran dan Perbendaharaan"
    run = synced(FakeBkn(data))
    unit.refresh_from_db()
    assert unit.nama == "Bidang Anggaran dan Perbendaharaan"
    assert not Unit.objects.filter(nama="Bidang Anggaran").exists()
    assert set(MonthlyRecord.objects.filter(unit=unit).values_list("pk", flat=True)) == records
    assert any("Bidang Anggaran dan Perbendaharaan" in note for note in run.notes)


def test_a_siasn_export_with_an_appraiser_column_names_the_appraiser(tmp_path):
    data = bkn_data()
    data["penilaian"] = {}
    synced(FakeBkn(data))
    staff, boss = "197707212009091730", "197401171998081683"
    path = tmp_path / "siasn.csv"
    path.write_text(
        f"pns_id,nip_baru,nama,jenis_pegawai_nama,nip_atasan\nA1,'{staff},Irma Setiawan,PPPK Paruh Waktu,'{boss}\n"
    )
    import_file(path, triggered_by="test")
    asn = Asn.objects.select_related("atasan").get(nip=staff)
    assert (asn.atasan.nip, asn.atasan_source, asn.kind) == (boss, Asn.AtasanSource.SIASN, Asn.Kind.PPPK)
    assert_rollup_exact()


def test_per_nip_calls_that_fail_leave_those_records_alone_and_all_failing_fails_the_run():
    data = bkn_data()
    synced(FakeBkn(data))
    MonthlyRecord.objects.filter(asn__nip=WAITING_DASH).delete()
    run = synced(FakeBkn(data, fail_bulk=True, failing_nips={WAITING_DASH}))
    assert run.status == SyncRun.Status.PARTLY_FAILED
    assert [e["nip"] for e in run.errors] == [WAITING_DASH]
    assert not MonthlyRecord.objects.filter(asn__nip=WAITING_DASH).exists()
    before = sorted(MonthlyRecord.objects.values_list("asn__nip", "stage", "rated_at"))
    run = synced(FakeBkn(data, fail_bulk=True, failing_nips={"*"}))
    assert run.status == SyncRun.Status.FAILED and "every call per NIP failed" in run.message
    assert sorted(MonthlyRecord.objects.values_list("asn__nip", "stage", "rated_at")) == before


def test_a_first_sync_and_an_import_write_their_run_not_an_audit_entry_per_row(tmp_path):
    from auditlog.models import LogEntry

    run = synced(FakeBkn(bkn_data()))
    assert run.created and Asn.objects.exists()  # it created ASN, units and records one by one…
    assert not LogEntry.objects.exists()  # …and none of them is anyone's hand edit
    wipe()
    LogEntry.objects.all().delete()  # the test's own wipe was audited
    imported(tmp_path, bkn_data())
    assert Asn.objects.exists() and not LogEntry.objects.exists()
