"""The ASN's own page opens with the month being chased: its stage, its deadline and the one thing to do,
told to the ASN ("Anda"), to their appraiser, or to anyone else who may see it; this month shows too."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opd.models import User
from skp import rules
from skp.models import MonthlyRecord, Period, Source, TeacherCycle
from tests.factories import (
    AsnFactory,
    ExemptionFactory,
    OpdFactory,
    PeriodFactory,
    RecordFactory,
    UnitFactory,
    asn_user,
)

pytestmark = pytest.mark.django_db
WIB = rules.WIB
BEFORE = dt.datetime(2025, 4, 10, 9, 0, tzinfo=WIB)  # March 2025 is chased, due 15 April: 5 days left
AFTER = dt.datetime(2025, 4, 20, 9, 0, tzinfo=WIB)  # 5 days past it
EKINERJA = "https://kinerja.bkn.go.id"
RUANG_GTK = "https://guru.kemdikbud.go.id"


@pytest.fixture
def puskesmas():
    """Budi, a clerk of a puskesmas appraised by its head, as e-Kinerja's rows and SIASN bring them."""
    opd = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    unit = UnitFactory(opd=opd, nama="Puskesmas Selat")
    head = AsnFactory(opd=opd, unit=unit, nama="Kepala Puskesmas Selat", jabatan="Kepala Puskesmas")
    unit.head = head
    unit.save()
    budi = AsnFactory(opd=opd, unit=unit, nama="Budi Santoso", atasan=head, atasan_source="ekinerja")
    march = PeriodFactory(year=2025, month=3)
    kepala = asn_user(AsnFactory(opd=opd, unit=None, nama="Kepala Dinas"), User.Role.KEPALA_OPD, opd)
    return {"opd": opd, "unit": unit, "head": head, "budi": budi, "march": march, "kepala": kepala}


def page_at(client, user, nip, moment) -> str:
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        response = client.get(f"/asn/{nip}/")
    assert response.status_code == 200
    return response.content.decode()


def chased(page: str) -> str:
    """The text of the chased month's block, as a reader sees it."""
    block = re.search(r'<section class="chased[^"]*".*?</section>', page, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", block)).split()).replace(" .", ".").replace(" ,", ",")


def links(page: str) -> list[str]:
    block = re.search(r'<section class="chased[^"]*".*?</section>', page, re.S).group(0)
    return re.findall(r'href="([^"]+)"', block)


def test_before_the_deadline_an_asn_who_has_not_filed_is_told_to_file_in_e_kinerja(client, puskesmas):
    budi = puskesmas["budi"]
    # e-Kinerja has no Laporan Penilaian row for him: stage not_started (the record the plan's population made).
    RecordFactory(asn=budi, period=puskesmas["march"])
    page = page_at(client, asn_user(budi), budi.nip, BEFORE)
    text = chased(page)
    assert "Laporan Maret 2025 Belum jatuh tempo" in text
    assert "Anda belum mengisi: e-Kinerja belum memiliki realisasi Anda untuk bulan ini." in text
    assert "Batas waktu: 15 April 2025. Sisa 5 hari." in text
    assert (
        "Isi realisasi Anda di e-Kinerja, lalu minta Pejabat Penilai Kinerja Anda, Kepala Puskesmas Selat, "
        "untuk menilainya." in text
    )
    assert EKINERJA in links(page) and RUANG_GTK not in page
    # The block comes first, before the facts and the history (which holds this month too).
    assert page.index('class="chased') < page.index('class="facts"') < page.index('id="riwayat"')
    assert "April 2025 (bulan ini): Belum jatuh tempo, batas 15 Mei 2025." in page
    table = page[page.index('id="riwayat"') :]
    assert table.index("April 2025") < table.index("Maret 2025")


def test_before_the_deadline_the_appraiser_and_the_kepala_read_who_must_file(client, puskesmas):
    budi, head = puskesmas["budi"], puskesmas["head"]
    to_head = chased(page_at(client, asn_user(head), budi.nip, BEFORE))
    assert "Belum mengisi: e-Kinerja belum memiliki realisasi untuk bulan ini." in to_head
    assert (
        "Budi Santoso harus mengisi realisasinya di e-Kinerja terlebih dahulu; setelah itu Anda menilainya di sana."
        in to_head
    )
    to_kepala = chased(page_at(client, puskesmas["kepala"], budi.nip, BEFORE))
    assert "Budi Santoso harus mengisi realisasinya di e-Kinerja; setelah itu Kepala Puskesmas Selat menilainya." in (
        to_kepala
    )
    assert "Anda" not in to_kepala


def test_after_the_deadline_a_month_not_filed_says_how_late_it_is(client, puskesmas):
    budi = puskesmas["budi"]  # no record at all: nothing from e-Kinerja for March
    page = page_at(client, asn_user(budi), budi.nip, AFTER)
    text = chased(page)
    assert "Laporan Maret 2025 Belum dinilai, lewat batas" in text
    assert "Batas waktu: 15 April 2025. Lewat batas 5 hari." in text
    assert "Isi realisasi Anda di e-Kinerja" in text and EKINERJA in links(page)
    assert "April 2025 (bulan ini): Belum jatuh tempo, batas 15 Mei 2025." in page


def test_filed_and_waiting_names_the_months_appraiser_and_tells_them_to_rate_it(client, puskesmas):
    budi, head = puskesmas["budi"], puskesmas["head"]
    # An unrated Laporan Penilaian row names Lina as March's appraiser, and the newest row makes her Budi's current
    # one (the sync's rule); the puskesmas's head still leads the unit.
    lina = AsnFactory(opd=puskesmas["opd"], unit=puskesmas["unit"], nama="Lina Plt Kepala")
    budi.atasan = lina
    budi.save()
    RecordFactory(
        asn=budi,
        period=puskesmas["march"],
        stage=rules.SUBMITTED,
        atasan=lina,
        submitted_at=dt.datetime(2025, 4, 8, 1, 0, tzinfo=WIB),
        last_synced_at=dt.datetime(2025, 4, 8, 1, 0, tzinfo=WIB),
    )
    to_budi = chased(page_at(client, asn_user(budi), budi.nip, AFTER))
    assert "Anda sudah mengisi; menunggu penilaian Pejabat Penilai Kinerja Anda." in to_budi
    assert "Pejabat Penilai Kinerja Anda, Lina Plt Kepala, harus menilainya di e-Kinerja: ingatkan beliau." in to_budi
    assert "Lewat batas 5 hari." in to_budi

    lina_page = page_at(client, asn_user(lina), budi.nip, AFTER)
    to_lina = chased(lina_page)
    assert "Sudah mengisi; menunggu penilaian Anda." in to_lina
    assert (
        "Anda Pejabat Penilai Kinerjanya: berikan Rating Hasil Kerja dan Rating Perilaku Kerja di e-Kinerja." in to_lina
    )
    assert EKINERJA in links(lina_page)

    to_kepala = chased(page_at(client, puskesmas["kepala"], budi.nip, AFTER))
    assert "Sudah mengisi; menunggu penilaian Lina Plt Kepala." in to_kepala
    assert "Lina Plt Kepala, Pejabat Penilai Kinerja, harus menilainya di e-Kinerja." in to_kepala
    # The head leads Budi's unit but does not appraise him: the page tells him who must rate it, not "you".
    to_head = chased(page_at(client, asn_user(head), budi.nip, AFTER))
    assert "Lina Plt Kepala, Pejabat Penilai Kinerja, harus menilainya" in to_head and "Anda" not in to_head


def test_filed_with_no_appraiser_known_sends_the_asn_to_bkpsdm(client, puskesmas):
    budi = puskesmas["budi"]
    budi.atasan = None
    budi.save()
    RecordFactory(asn=budi, period=puskesmas["march"], stage=rules.SUBMITTED, atasan=None)
    page = page_at(client, asn_user(budi), budi.nip, BEFORE)
    text = chased(page)
    assert "tetapi portal belum tahu siapa penilai Anda." in text
    assert "Beri tahu BKPSDM siapa penilai Anda" in text
    assert any("kategori=data" in link and "periode=2025-03" in link for link in links(page))


@pytest.mark.parametrize(
    ("rated_at", "badge", "timing"),
    [
        (dt.datetime(2025, 4, 2, 8, 0, tzinfo=WIB), "Dinilai tepat waktu", "Tepat waktu: batasnya 15 April 2025."),
        (
            dt.datetime(2025, 4, 17, 8, 0, tzinfo=WIB),
            "Dinilai terlambat",
            "Terlambat: dinilai setelah batas 15 April 2025.",
        ),
    ],
)
def test_a_rated_month_shows_its_predikat_and_whether_it_was_on_time(client, puskesmas, rated_at, badge, timing):
    budi = puskesmas["budi"]
    RecordFactory(
        asn=budi,
        period=puskesmas["march"],
        rated=True,
        rated_at=rated_at,
        rating_hasil=rules.ABOVE,
        rating_perilaku=rules.ABOVE,
        predikat_bkn=rules.SANGAT_BAIK,
        atasan=puskesmas["head"],
    )
    for user in (asn_user(budi), asn_user(puskesmas["head"])):
        page = page_at(client, user, budi.nip, AFTER)
        text = chased(page)
        assert f"Laporan Maret 2025 {badge}" in text
        assert f"Dinilai pada {rated_at:%-d} April 2025: predikat Sangat Baik. {timing}" in text
        assert links(page) == []  # nothing left to do
        assert "hari" not in text and "harus" not in text


def test_an_exempt_month_says_why_and_that_nothing_is_to_be_filed(client, puskesmas):
    budi = puskesmas["budi"]
    ExemptionFactory(asn=budi, kind="tugas_belajar", start=dt.date(2025, 3, 20), end=dt.date(2025, 9, 30))
    to_budi = chased(page_at(client, asn_user(budi), budi.nip, AFTER))
    assert "Laporan Maret 2025 Dikecualikan" in to_budi
    assert "Anda dikecualikan: tidak ada yang perlu diisi untuk bulan ini." in to_budi
    assert "Tugas belajar, sejak 20 Maret 2025 sampai 30 September 2025." in to_budi
    assert "batas" not in to_budi.lower()
    to_kepala = chased(page_at(client, puskesmas["kepala"], budi.nip, AFTER))
    assert "Dikecualikan: tidak ada yang perlu diisi untuk bulan ini." in to_kepala and "Anda" not in to_kepala


@pytest.fixture
def school():
    """A teacher of an SD whose head appraises her, 2025 on the quarterly Ruang GTK cycle with BKPSDM's guide."""
    disdik = OpdFactory(kode="DISDIK", nama="Dinas Pendidikan")
    sd = UnitFactory(opd=disdik, nama="SDN 1 Selat")
    head = AsnFactory(opd=disdik, unit=sd, nama="Kepala SDN 1 Selat", jabatan="Kepala Sekolah")
    teacher = AsnFactory(opd=disdik, unit=sd, nama="Sari Guru", jabatan="Guru Ahli Pertama", atasan=head)
    teacher.refresh_from_db()  # the generated is_guru column
    call_command("teacher_cycle", "--year", "2025", "--cycle", "triwulan")
    TeacherCycle.objects.filter(year=2025).update(help_url="https://bkpsdm.kapuaskab.go.id/panduan-ruang-gtk")
    february = PeriodFactory(year=2025, month=2)
    q1 = PeriodFactory(kind=rules.TRIWULAN, year=2025, month=3)
    # e-Kinerja's February row for her (a monthly row is synced and kept; the quarter's decides).
    RecordFactory(asn=teacher, period=february, is_guru=True)
    return {"head": head, "teacher": teacher, "february": february, "q1": q1}


def test_a_teacher_on_the_quarterly_cycle_is_chased_by_the_quarters_deadline_in_ruang_gtk(client, school):
    teacher, head = school["teacher"], school["head"]
    on_march_20 = dt.datetime(2025, 3, 20, 9, 0, tzinfo=WIB)  # February is chased; its own deadline has passed
    page = page_at(client, asn_user(teacher), teacher.nip, on_march_20)
    text = chased(page)
    assert "Laporan Februari 2025 Belum jatuh tempo" in text  # the quarter is due 15 April
    assert "Guru: dinilai per triwulan melalui Ruang GTK; batas 15 April 2025. Sisa 26 hari." in text
    assert (
        "Isi realisasi Anda di Ruang GTK, lalu minta Pejabat Penilai Kinerja Anda, Kepala SDN 1 Selat, "
        "untuk menilainya." in text
    )
    assert "Jangan mengisi e-Kinerja secara manual." in text
    assert links(page) == [RUANG_GTK, "https://bkpsdm.kapuaskab.go.id/panduan-ruang-gtk"]
    assert "Maret 2025 (bulan ini): Belum jatuh tempo, batas 15 April 2025." in page

    # Ruang GTK's quarter reaches e-Kinerja unrated: the school head must rate it there.
    RecordFactory(asn=teacher, period=school["q1"], stage=rules.SUBMITTED, atasan=head, is_guru=True)
    after = dt.datetime(2025, 4, 16, 9, 0, tzinfo=WIB)  # March is chased now, the quarter overdue by a day
    head_page = page_at(client, asn_user(head), teacher.nip, after)
    to_head = chased(head_page)
    assert "Laporan Maret 2025 Belum dinilai, lewat batas" in to_head
    assert "Sudah mengisi; menunggu penilaian Anda." in to_head
    assert "Lewat batas 1 hari." in to_head
    assert "berikan Rating Hasil Kerja dan Rating Perilaku Kerja di Ruang GTK." in to_head
    assert links(head_page) == [RUANG_GTK, "https://bkpsdm.kapuaskab.go.id/panduan-ruang-gtk"]
    to_teacher = chased(page_at(client, asn_user(teacher), teacher.nip, after))
    assert "Pejabat Penilai Kinerja Anda, Kepala SDN 1 Selat, harus menilainya di Ruang GTK: ingatkan beliau." in (
        to_teacher
    )


def test_a_teacher_on_the_monthly_cycle_is_sent_to_ruang_gtk_by_the_months_deadline(client, school):
    year = TeacherCycle.objects.get(year=2025)
    year.cycle, year.help_url = rules.BULANAN, ""
    year.save()  # as BKPSDM would, in the admin panel (the cached cycle is forgotten)
    teacher = school["teacher"]
    page = page_at(client, asn_user(teacher), teacher.nip, dt.datetime(2025, 3, 20, 9, 0, tzinfo=WIB))
    text = chased(page)
    assert "Laporan Februari 2025 Belum dinilai, lewat batas" in text
    assert "Batas waktu: 15 Maret 2025. Lewat batas 5 hari." in text
    assert "Isi realisasi Anda di Ruang GTK" in text and links(page) == [RUANG_GTK]


def test_the_page_costs_the_same_queries_with_a_year_of_records_as_with_none(client, school):
    teacher = school["teacher"]
    client.force_login(asn_user(school["head"]))
    url = f"/asn/{teacher.nip}/"

    def measured():
        with time_machine.travel(dt.datetime(2025, 3, 20, 9, 0, tzinfo=WIB), tick=False):
            client.get(url)  # the session and first-use caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = measured()
    months = [Period.build(year, month) for year, month in rules.months_back(2025, 3, 13)]
    Period.objects.bulk_create([p for p in months if (p.year, p.month) != (2025, 2)])
    stored = Period.objects.exclude(pk=school["february"].pk)
    MonthlyRecord.objects.bulk_create(
        [
            MonthlyRecord(
                asn=teacher, period=p, opd=teacher.opd, unit=teacher.unit, atasan=school["head"],
                stage=rules.SUBMITTED, source=Source.EKINERJA, is_guru=True,
            )
            for p in stored
        ]
    )  # fmt: skip
    ExemptionFactory(asn=teacher, kind="cuti_sakit", start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 30))
    assert measured() == few
