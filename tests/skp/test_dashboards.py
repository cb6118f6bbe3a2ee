"""The dashboards as their users see them, and what they cost in queries."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opd.models import Asn, Unit, User
from skp import rules
from skp.models import MonthlyRecord
from skp.rollup import refresh_rollup
from tests.factories import (
    AsnFactory,
    ExemptionFactory,
    OpdFactory,
    PeriodFactory,
    RecordFactory,
    UnitFactory,
    UserFactory,
    asn_user,
    valid_nip,
)

pytestmark = pytest.mark.django_db
WIB = rules.WIB
NOW = dt.datetime(2025, 4, 20, 9, 0, tzinfo=WIB)  # March 2025 is being chased, and overdue


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dinkes():
    opd = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    puskesmas = UnitFactory(opd=opd, nama="Puskesmas Selat")
    head = AsnFactory(opd=opd, unit=puskesmas, nama="Kepala Puskesmas Selat")
    puskesmas.head = head
    puskesmas.save()
    march = PeriodFactory(year=2025, month=3)
    RecordFactory(
        asn=AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Ani Tepat"),
        period=march,
        rated=True,
        rated_at=dt.datetime(2025, 4, 2, 8, 0, tzinfo=WIB),
    )
    RecordFactory(
        asn=AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Budi Menunggu"), period=march, stage="submitted"
    )
    RecordFactory(asn=AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Citra Belum"), period=march)
    RecordFactory(
        asn=AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Dedi Telat"),
        period=march,
        rated=True,
        rated_at=dt.datetime(2025, 4, 17, 8, 0, tzinfo=WIB),
    )
    guru = AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Eka Guru", jabatan="Guru Ahli Muda")
    RecordFactory(asn=guru, period=march, rated=True, rated_at=dt.datetime(2025, 4, 5, tzinfo=WIB))
    ExemptionFactory(
        asn=AsnFactory(opd=opd, unit=puskesmas, atasan=head, nama="Fajar Cuti"), start=dt.date(2025, 3, 20)
    )
    kepala = asn_user(AsnFactory(opd=opd, unit=None, nama="Kepala Dinas"), User.Role.KEPALA_OPD, opd)
    refresh_rollup()
    return {"opd": opd, "unit": puskesmas, "head": head, "kepala": kepala, "march": march}


def grow(opd, unit, period, n, atasan=None, submitted_every=0):
    """n more ASN with unrated records, written in bulk (as a sync would); every `submitted_every`th
    has filed and waits for the appraiser (an unrated BKN row: stage submitted, its appraiser set)."""
    # Far from the factories' sequence numbers (valid_nip repeats only every 999,000), so no NIP collides.
    start = 500_000 + Asn.objects.count()
    Asn.objects.bulk_create(
        [Asn(nip=valid_nip(start + i), nama=f"Tambahan {i:05d}", opd=opd, unit=unit, atasan=atasan) for i in range(n)]
    )
    new = Asn.objects.filter(nama__startswith="Tambahan").order_by("nama")
    MonthlyRecord.objects.bulk_create(
        [
            MonthlyRecord(
                asn=a,
                period=period,
                opd=opd,
                unit=unit,
                atasan=atasan,
                source="ekinerja",
                stage="submitted" if submitted_every and i % submitted_every == 0 else "not_started",
            )
            for i, a in enumerate(new)
        ]
    )
    refresh_rollup()


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def kepala_sees(client, dinkes, url: str = "/opd/DINKES/") -> str:
    """The page at `url` as the Kepala of Dinas Kesehatan gets it."""
    client.force_login(dinkes["kepala"])
    return client.get(url).content.decode()


def listed(page: str) -> str:
    """The list of ASN on a page (its section), without the rest of the page."""
    start = page.index('id="record-list"')
    return page[start : page.index("</section>", start)]


def test_the_kepala_sees_who_is_late_first_and_who_must_act(client, dinkes):
    page = kepala_sees(client, dinkes)
    assert "Laporan Maret 2025 paling lambat 15 April 2025, 23.59 WIB." in page
    # The first line: the overdue (Budi, Citra, the puskesmas head and the Kepala Dinas, no record yet) by who acts.
    assert "<strong>4 lewat batas:</strong> 3 belum mengisi, 1 menunggu penilaian atasan" in page
    # By default the list holds only those who must still act; "Semua" shows everyone, overdue first.
    default = listed(page)
    assert "Budi Menunggu" in default and "Citra Belum" in default
    assert not any(name in default for name in ("Dedi Telat", "Ani Tepat", "Fajar Cuti"))
    assert '<option value="perlu" selected>Perlu tindakan (belum dinilai)</option>' in page
    everyone = listed(client.get("/opd/DINKES/?status=semua").content.decode())
    order = [everyone.index(n) for n in ("Budi Menunggu", "Citra Belum", "Dedi Telat", "Ani Tepat", "Fajar Cuti")]
    assert order == sorted(order)
    assert "Atasan: Kepala Puskesmas Selat" in page  # Budi filed; his appraiser must act
    assert "ASN: mengisi laporan" in page  # Citra has not filed
    assert '<figure class="trend' in page and "<svg" in page


def test_the_first_line_and_the_list_come_before_the_appraisers_units_counts_and_trend(client, dinkes):
    page = kepala_sees(client, dinkes)
    order = [
        page.index(marker)
        for marker in (
            "4 lewat batas:",
            'href="/opd/DINKES/ingatkan/?periode=2025-03',  # remind all, beside it
            'id="daftar"',
            'id="record-list"',
            'id="penilai"',
            'id="unit-terburuk"',
            'class="summary"',
            'class="trend',
        )
    ]
    assert order == sorted(order)
    # The glossary of the status words, in their revised labels.
    glossary = page[page.index('class="glossary"') :][:900]
    for label in ("Belum dinilai, lewat batas", "Belum jatuh tempo", "Dinilai terlambat", "Dinilai tepat waktu"):
        assert f"<strong>{label}</strong>:" in glossary
    assert "<strong>Dikecualikan</strong>: tidak wajib melapor" in glossary


def test_before_the_deadline_the_first_line_counts_who_is_not_yet_rated(client, dinkes):
    april = PeriodFactory(year=2025, month=4)
    RecordFactory(asn=Asn.objects.get(nama="Budi Menunggu"), period=april, stage="submitted")
    refresh_rollup()
    with time_machine.travel(dt.datetime(2025, 5, 12, 9, 0, tzinfo=WIB), tick=False):
        page = kepala_sees(client, dinkes)
    assert "belum dinilai, belum jatuh tempo:</strong>" in page and "1 menunggu penilaian atasan" in page
    assert "ingatkan/?periode" not in page  # nobody is overdue yet: no "remind all"
    assert "Budi Menunggu" in listed(page)  # not yet due, but someone must act


def test_the_sort_select_sorts_with_a_plain_get(client, dinkes):
    page = kepala_sees(client, dinkes, "/opd/DINKES/?status=semua&urut=-nama")
    assert '<label for="f-urut">Urutkan</label>' in page
    assert '<option value="-nama" selected>Nama, Z–A</option>' in page
    rows = listed(page)
    assert rows.index("Fajar Cuti") < rows.index("Dedi Telat") < rows.index("Ani Tepat")


def test_teachers_are_counted_as_their_own_group(client, dinkes):
    page = kepala_sees(client, dinkes)
    assert "Guru (dinilai melalui Ruang GTK)" in page
    group_row = page[page.index('<th scope="row">Guru</th>') :][:300]
    assert "<td>1</td>" in group_row


def test_while_the_deadline_is_open_a_banner_counts_the_days(client, dinkes):
    PeriodFactory(year=2025, month=4)
    with time_machine.travel(dt.datetime(2025, 5, 12, 9, 0, tzinfo=WIB), tick=False):
        page = kepala_sees(client, dinkes)
    assert "Sisa 3 hari." in page
    assert "Belum jatuh tempo" in page


def test_filters_sort_and_pages_have_real_links(client, dinkes):
    grow(dinkes["opd"], dinkes["unit"], dinkes["march"], 60)
    page = kepala_sees(client, dinkes, "/opd/DINKES/?status=overdue&urut=nama")
    # Budi, Citra, the puskesmas head and the Kepala Dinas (no record yet), and the 60 new.
    assert "64 ASN" in page
    assert "Halaman 1 dari 2" in page
    # Plain links come back to the list (#daftar); htmx fetches the list alone and scrolls to its heading.
    assert 'href="?halaman=2&amp;status=overdue&amp;urut=nama#daftar"' in page
    assert 'hx-get="?halaman=2&amp;status=overdue&amp;urut=nama"' in page
    assert 'hx-swap="outerHTML show:#daftar:top"' in page and 'hx-indicator="#record-list"' in page
    assert 'hx-push-url="true"' in page
    second = client.get("/opd/DINKES/?status=overdue&urut=nama&halaman=2").content.decode()
    assert "Halaman 2 dari 2" in second
    assert "Tambahan 00059" in second


def test_text_search_finds_by_name_or_nip(client, dinkes):
    page = kepala_sees(client, dinkes, "/opd/DINKES/?q=citra")
    assert "Citra Belum" in page and "Budi Menunggu" not in page
    nip = Asn.objects.get(nama="Budi Menunggu").nip
    page = client.get(f"/opd/DINKES/?q={nip[:10]}").content.decode()
    assert "Budi Menunggu" in page


def test_the_teachers_filter_lists_teachers_or_everyone_else(client, dinkes):
    teachers = kepala_sees(client, dinkes, "/opd/DINKES/?guru=1&status=semua").split('id="record-list"')[1]
    assert "Eka Guru" in teachers and "Ani Tepat" not in teachers
    assert 'option value="1" selected' in client.get("/opd/DINKES/?guru=1").content.decode()
    others = client.get("/opd/DINKES/?guru=0&status=semua").content.decode().split('id="record-list"')[1]
    assert "Ani Tepat" in others and "Eka Guru" not in others


def test_the_unit_table_drills_down_to_the_unit(client, dinkes):
    link = f'href="/opd/DINKES/?periode=2025-03&amp;unit={dinkes["unit"].pk}#daftar"'
    page = kepala_sees(client, dinkes)
    assert link in page
    units_page = client.get("/opd/DINKES/unit/").content.decode()
    assert link in units_page
    assert "Puskesmas Selat" in units_page
    filtered = client.get(f"/opd/DINKES/?periode=2025-03&unit={dinkes['unit'].pk}").content.decode()
    assert "Citra Belum" in filtered and "Kepala Dinas" not in filtered.split('id="record-list"')[1]


def test_stale_data_is_said_in_red(client, dinkes):
    MonthlyRecord.objects.update(last_synced_at=NOW - dt.timedelta(days=2))
    page = kepala_sees(client, dinkes)
    assert 'class="freshness stale"' in page
    assert "lebih dari sehari" in page
    MonthlyRecord.objects.update(last_synced_at=NOW - dt.timedelta(hours=2))
    assert 'class="freshness"' in client.get("/opd/DINKES/").content.decode()


def test_staff_page_lists_the_school_head_s_own_staff(client, dinkes):
    client.force_login(asn_user(dinkes["head"]))
    page = client.get("/staf/").content.decode()
    assert "Citra Belum" in page
    assert "Kepala Dinas" not in page


def test_regency_overview_ranks_opd_and_filters_by_kind(client, dinkes):
    kec = OpdFactory(kode="KEC-SELAT", nama="Kecamatan Selat", kind="kecamatan")
    RecordFactory(asn=AsnFactory(opd=kec), period=dinkes["march"], rated=True)
    refresh_rollup()
    client.force_login(UserFactory(username="bupati", role="pimpinan"))
    page = client.get("/kabupaten/").content.decode()
    assert page.index("Kecamatan Selat") < page.index("Dinas Kesehatan")  # 100 % before 29 %
    only_kec = client.get("/kabupaten/?jenis=kecamatan").content.decode()
    assert "Kecamatan Selat" in only_kec and "Dinas Kesehatan" not in only_kec
    assert '<option value="kecamatan" selected>' in only_kec  # the form keeps the kind asked for


@pytest.mark.parametrize(
    ("who", "url", "headers"),
    [
        ("kepala", "/opd/DINKES/", {}),
        ("kepala", "/opd/DINKES/?status=overdue", {"HX-Request": "true"}),
        ("kepala", "/opd/DINKES/unit/", {}),
        ("head", "/staf/", {}),
        ("bupati", "/kabupaten/", {}),
        ("kepala", "/asn/{nip}/", {}),
    ],
)
@pytest.mark.parametrize("parts", ["built", "cached"])
def test_each_page_costs_the_same_queries_for_10_or_5000_asn(client, dinkes, who, url, headers, parts):
    users = {
        "kepala": dinkes["kepala"],
        "head": asn_user(dinkes["head"]),
        "bupati": UserFactory(username="bupati", role="pimpinan"),
    }
    client.force_login(users[who])
    url = url.format(nip=dinkes["head"].nip)

    def measured():
        # "built": the dashboard's parts are rendered from the data; "cached": read back (skp/pagecache.py).
        if parts == "cached":
            client.get(url, headers=headers)
        else:
            cache.clear()
        return queries(client, url, **headers)

    client.get(url, headers=headers)  # the session and first-use caches
    few = measured()
    # Half of them filed and wait for the head's rating: the ranking, the head's own list on /staf/.
    grow(dinkes["opd"], dinkes["unit"], dinkes["march"], 5000, atasan=dinkes["head"], submitted_every=2)
    assert measured() == few


def test_the_dashboard_ranks_appraisers_by_staff_waiting_for_their_rating(client, dinkes):
    lina = AsnFactory(opd=dinkes["opd"], unit=dinkes["unit"], nama="Lina Kepala Bidang")
    for nama in ("Gita Menunggu", "Hana Menunggu"):
        RecordFactory(
            asn=AsnFactory(opd=dinkes["opd"], unit=dinkes["unit"], atasan=lina, nama=nama),
            period=dinkes["march"],
            stage="submitted",
        )
    # Filed, but no appraiser is known for the month.
    RecordFactory(
        asn=AsnFactory(opd=dinkes["opd"], nama="Kiki Tanpa Penilai"), period=dinkes["march"], stage="submitted"
    )
    refresh_rollup()
    page = kepala_sees(client, dinkes)
    start = page.index('id="penilai"')
    ranking = page[start : page.index("</section>", start)]
    assert "4 staf sudah mengisi dan menunggu penilaian atasannya." in ranking
    # Lina (2 waiting) before the puskesmas head (Budi), then those whose appraiser is not known.
    assert (
        ranking.index("Lina Kepala Bidang")
        < ranking.index("Kepala Puskesmas Selat")
        < ranking.index("Penilai tidak diketahui")
    )
    assert f'formaction="/opd/DINKES/ingatkan/penilai/{lina.nip}/"' in ranking
    assert "Ingatkan atasan: Lina Kepala Bidang" in ranking
    # The leadership reads the ranking without the buttons.
    client.force_login(UserFactory(username="bupati", role="pimpinan"))
    ranking = client.get("/opd/DINKES/").content.decode()
    assert "Lina Kepala Bidang" in ranking and "ingatkan/penilai" not in ranking


def test_an_opd_with_hundreds_of_units_picks_a_unit_on_the_unit_page(client, dinkes):
    Unit.objects.bulk_create([Unit(opd=dinkes["opd"], nama=f"SD Negeri {i}") for i in range(160)])
    page = kepala_sees(client, dinkes)
    assert 'id="f-unit"' not in page
    assert 'href="/opd/DINKES/unit/?periode=2025-03"' in page
    chosen = client.get(f"/opd/DINKES/?unit={dinkes['unit'].pk}").content.decode()
    assert f'<input type="hidden" name="unit" value="{dinkes["unit"].pk}">Puskesmas Selat' in chosen
    assert "(semua unit)" in chosen
