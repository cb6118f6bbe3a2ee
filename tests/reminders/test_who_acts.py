"""Who must act gets the message (DESIGN.md, "Real BKN data"): a record that has been filed waits for
that month's appraiser, so nudges and digests go to the appraiser and name the staff, never to the
ASN who already filed. The records are written as an import of BKN's unrated rows leaves them:
stage submitted, no rating, the row's appraiser on the record."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from opd.models import User
from reminders.models import Kind, Message
from reminders.outbox import send_waiting
from reminders.schedule import Occasion as DueOccasion
from reminders.services import prepare_occasion
from skp import rules
from skp.rollup import rollup_refresh
from tests.factories import AsnFactory, OpdFactory, RecordFactory, UnitFactory, asn_user
from tests.world import WIB, at, build_world

NOW = dt.datetime(2026, 11, 18, 10, 30, tzinfo=WIB)  # October is overdue
PAGE = "/opd/DINKES/?periode=2026-10"


@pytest.fixture
def world(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def filed(nama, opd, unit, atasan, period, **asn):
    """An ASN whose October row came from BKN without a rating: submitted, waiting for `atasan`."""
    person = AsnFactory(nama=nama, opd=opd, unit=unit, atasan=asn.pop("current_atasan", atasan), **asn)
    RecordFactory(asn=person, period=period, stage=rules.SUBMITTED, atasan=atasan)
    return person


def row_of(page: str, nama: str) -> str:
    start = page.index(nama, page.index('id="record-list"'))
    return page[start : page.index("</tr>", start)]


def body(message) -> str:
    return message.get_payload(0).get_payload(decode=True).decode()


def test_a_nudge_on_a_filed_record_reaches_the_appraiser_over_smtp_and_names_the_staff(
    client, world, smtp, django_capture_on_commit_callbacks
):
    client.force_login(world.kepala)
    url = reverse("nudge_one", args=["DINKES", world.filed.nip])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"periode": "2026-10"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "Pengingat dikirim kepada 1 atasan tentang staf yang menunggu penilaiannya." in response.text
    assert "hari ini pukul 10.30 WIB" in response.text
    send_waiting()
    assert [m["To"] for m in smtp.received] == [world.atasan.email]  # Budi, who filed, gets nothing
    (message,) = smtp.to(world.atasan.email)
    assert message["Subject"] == "Dinas Kesehatan: 1 staf menunggu penilaian Anda untuk Oktober 2026"
    text = body(message)
    assert "Yth. Kepala Puskesmas," in text
    assert f"- Budi Sudah Mengisi ({world.filed.nip}), Puskesmas Selat" in text
    assert "Batas waktu 15 November 2026 sudah lewat" in text and "https://kinerja.bkn.go.id" in text
    assert "Ani Belum Mengisi" not in text  # she has not filed: she is reminded herself
    assert not Message.objects.filter(asn=world.filed).exists()
    assert Message.objects.get().kind == Kind.ATASAN_NUDGE and Message.objects.get().status == Message.Status.SENT


def test_staff_nudged_together_make_one_message_per_appraiser_and_a_second_click_sends_nothing(
    client, world, smtp, django_capture_on_commit_callbacks
):
    gita = filed("Gita Juga Mengisi", world.opd, world.unit, world.atasan, world.period)
    rollup_refresh()
    client.force_login(world.kepala)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("nudge_overdue", args=["DINKES"]), {"periode": "2026-10", "konfirmasi": "1"})
    send_waiting()
    (message,) = smtp.to(world.atasan.email)
    text = body(message)
    assert "Budi Sudah Mengisi" in text and "Gita Juga Mengisi" in text
    assert message["Subject"] == "Dinas Kesehatan: 2 staf menunggu penilaian Anda untuk Oktober 2026"
    assert smtp.to(world.filed.email) == [] and smtp.to(gita.email) == []

    # Gita alone, the same day: her appraiser has had today's message listing her already.
    response = client.post(reverse("nudge_one", args=["DINKES", gita.nip]), {"periode": "2026-10"}, follow=True)
    assert "1 atasan sudah diingatkan hari ini." in response.text
    send_waiting()
    assert len(smtp.to(world.atasan.email)) == 1


def test_a_kepala_reminds_an_appraiser_in_another_opd_about_their_own_staff_only(
    client, world, smtp, django_capture_on_commit_callbacks
):
    disdik = OpdFactory(kode="DISDIK", nama="Dinas Pendidikan")
    school = UnitFactory(opd=disdik, nama="SDN 1 Selat")
    hadi = AsnFactory(nama="Hadi Kepala Sekolah", opd=disdik, unit=school)
    filed("Indra Perawat Sekolah", world.opd, world.unit, hadi, world.period)
    filed("Joko Guru", disdik, school, hadi, world.period)
    rollup_refresh()
    client.force_login(world.kepala)
    page = client.get(PAGE).text
    start = page.index('id="penilai"')
    ranking = page[start : page.index("</section>", start)]
    assert "Hadi Kepala Sekolah" in ranking and "Dinas Pendidikan" in ranking
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("nudge_appraiser", args=["DINKES", hadi.nip]), {"periode": "2026-10"})
    assert response.status_code == 302
    send_waiting()
    (message,) = smtp.to(hadi.email)
    text = body(message)
    assert "Indra Perawat Sekolah" in text and "Joko Guru" not in text
    assert message["Subject"].startswith("Dinas Kesehatan: 1 staf")


def test_the_appraiser_nudge_answers_both_ways_and_only_for_appraisers_with_staff_waiting(client, world):
    url = reverse("nudge_appraiser", args=["DINKES", world.atasan.nip])
    client.force_login(world.operator)
    fragment = client.post(url, {"periode": "2026-10"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Pengingat dikirim kepada 1 atasan" in fragment.text and "Terakhir diingatkan" in fragment.text
    back = client.post(url, {"periode": "2026-10", "next": PAGE})
    assert back.status_code == 302 and back["Location"] == PAGE + "#daftar"  # where the message shows
    assert "1 atasan sudah diingatkan hari ini." in client.get(PAGE).text
    # Ani appraises nobody; another OPD's head may not remind through Dinkes.
    nobody = reverse("nudge_appraiser", args=["DINKES", world.lazy.nip])
    assert client.post(nobody, {"periode": "2026-10"}).status_code == 404
    other = asn_user(AsnFactory(opd=OpdFactory(kode="DISDIK")), User.Role.KEPALA_OPD, OpdFactory(kode="DISDIK"))
    client.force_login(other)
    assert client.post(url, {"periode": "2026-10"}).status_code == 404
    assert Message.objects.filter(kind=Kind.ATASAN_NUDGE).count() == 1


def test_the_buttons_say_who_will_be_reminded(client, world):
    # Kiki filed, but BKN's row names no appraiser and none is known.
    kiki = filed("Kiki Tanpa Penilai", world.opd, world.unit, None, world.period)
    rollup_refresh()
    client.force_login(world.kepala)
    page = client.get(PAGE).text
    budi = row_of(page, "Budi Sudah Mengisi")
    assert "Ingatkan atasan: Kepala Puskesmas" in budi and "Atasan: Kepala Puskesmas" in budi
    ani = row_of(page, "Ani Belum Mengisi")
    assert ">Ingatkan</button>" in ani and "Ingatkan atasan" not in ani and "ASN: mengisi laporan" in ani
    kiki_row = row_of(page, "Kiki Tanpa Penilai")
    assert "disabled>Tidak ada atasan untuk diingatkan</button>" in kiki_row
    assert "e-Kinerja tidak menyebut penilai untuk bulan ini" in kiki_row and "formaction" not in kiki_row
    assert "Atasan: belum diketahui" in kiki_row
    # Posted anyway (an old page): nobody is emailed, and the head is told why.
    response = client.post(reverse("nudge_one", args=["DINKES", kiki.nip]), {"periode": "2026-10"}, follow=True)
    assert "1 ASN sudah mengisi tetapi penilainya untuk bulan itu tidak diketahui" in response.text
    assert not Message.objects.exists()


def test_before_the_deadline_the_list_says_who_must_act_by_stage(client, world):
    with time_machine.travel(at(10), tick=False):
        client.force_login(world.kepala)
        page = client.get(PAGE).text
    assert "Belum jatuh tempo" in row_of(page, "Budi Sudah Mengisi")
    assert "Atasan: Kepala Puskesmas" in row_of(page, "Budi Sudah Mengisi")
    assert "ASN: mengisi laporan" in row_of(page, "Ani Belum Mengisi")
    assert "Citra Sudah Dinilai" not in page  # rated: nobody must act, so not on the default list
    with time_machine.travel(at(10), tick=False):
        everyone = client.get(PAGE + "&status=semua").text
    assert "ASN: mengisi laporan" not in row_of(everyone, "Citra Sudah Dinilai")


def test_my_staff_opens_with_the_viewer_s_own_pending_ratings_in_the_second_person(client, world):
    filed("Gita Juga Mengisi", world.opd, world.unit, world.atasan, world.period)
    rollup_refresh()
    client.force_login(asn_user(world.atasan))
    page = client.get(reverse("staff"), {"periode": "2026-10"}).text
    own = page.index("Anda perlu menilai 2 staf yang sudah mengisi laporan Oktober 2026.")
    assert own < page.index('href="https://kinerja.bkn.go.id"') < page.index('id="record-list"')
    section = page[own : page.index("</section>", own)]
    assert "Budi Sudah Mengisi" in section and "Gita Juga Mengisi" in section and "Ani" not in section
    # The rest as before; their own staff's rows tell them to rate, not to remind themselves.
    budi = row_of(page, "Budi Sudah Mengisi")
    assert "Anda: beri penilaian di e-Kinerja" in budi and "Anda penilainya:" in budi and "formaction" not in budi
    assert 'formaction="' + reverse("nudge_staff", args=[world.lazy.nip]) in row_of(page, "Ani Belum Mengisi")
    response = client.post(reverse("nudge_staff", args=[world.filed.nip]), {"periode": "2026-10"}, follow=True)
    assert "Anda sendiri penilai 1 di antaranya: beri penilaian di e-Kinerja." in response.text
    assert not Message.objects.exists()


def test_a_unit_head_who_rates_nobody_has_no_pending_ratings_of_their_own(client, world):
    world.unit.head = world.head
    world.unit.save()
    client.force_login(asn_user(world.head))
    page = client.get(reverse("staff"), {"periode": "2026-10"}).text
    assert "Budi Sudah Mengisi" in page and "Anda perlu menilai" not in page
    assert "Ingatkan atasan: Kepala Puskesmas" in row_of(page, "Budi Sudah Mengisi")


def digest_texts(kind: str, as_of) -> dict[str, str]:
    occasion = DueOccasion("2026-10", kind, as_of.date(), as_of, as_of)
    return {m.address: m.body_text for m in prepare_occasion(occasion, as_of=as_of, dry_run=True)}


def test_the_appraiser_digest_lists_staff_waiting_for_their_rating_apart_from_those_who_have_not_filed(world):
    # Budi's October row named his former appraiser, Lina; today's appraiser is the puskesmas head.
    lina = AsnFactory(nama="Lina Penilai Lama", opd=world.opd, unit=world.unit)
    record = world.filed_record
    record.atasan = lina
    record.save()
    # Maya has no October record yet: her current appraiser answers for her.
    AsnFactory(nama="Maya Belum Ada Catatan", opd=world.opd, unit=world.unit, atasan=world.atasan)
    rollup_refresh()
    texts = digest_texts(Kind.ATASAN_DIGEST, at(10))
    to_lina = texts[lina.email]
    assert "Menunggu penilaian Anda di e-Kinerja (1, sudah mengisi):" in to_lina
    assert f"- Budi Sudah Mengisi ({world.filed.nip}), Puskesmas Selat" in to_lina and "Belum mengisi" not in to_lina
    to_head = texts[world.atasan.email]
    assert "Budi" not in to_head and "Menunggu penilaian Anda" not in to_head
    not_filed = to_head[to_head.index("Belum mengisi (4): ingatkan mereka untuk mengisi.") :]
    for nama in ("Ani Belum Mengisi", "Eka Tanpa Email", "Fajar Berhenti Langganan", "Maya Belum Ada Catatan"):
        assert nama in not_filed


def test_the_kepala_s_digest_lists_staff_waiting_by_appraiser_then_those_who_must_file(world):
    filed("Gita Juga Mengisi", world.opd, world.unit, world.atasan, world.period)
    lina = AsnFactory(nama="Lina Penilai Lama", opd=world.opd, unit=world.unit)
    filed("Hana Menunggu Lina", world.opd, world.unit, lina, world.period, current_atasan=world.atasan)
    rollup_refresh()
    text = digest_texts(Kind.OPD_DIGEST, at(16))[world.head.email]
    waiting = text.index("== Sudah mengisi, menunggu penilaian atasan ==")
    must_file = text.index("== ASN yang harus mengisi: ==")
    head, lina = text.index("Atasan: Kepala Puskesmas (2)"), text.index("Atasan: Lina Penilai Lama (1)")
    assert waiting < head < lina < must_file  # the appraiser with the most waiting first
    assert waiting < text.index("Budi Sudah Mengisi") < text.index("Hana Menunggu Lina") < must_file
    assert must_file < text.index("Ani Belum Mengisi")


def test_the_scheduled_reminder_skips_who_has_filed_unless_no_appraiser_is_known(world):
    kiki = filed("Kiki Tanpa Penilai", world.opd, world.unit, None, world.period)
    rollup_refresh()
    texts = digest_texts(Kind.ASN_REMINDER, at(10))
    assert world.lazy.email in texts and kiki.email in texts
    assert world.filed.email not in texts  # his appraiser's digest lists him instead
    assert "Anda sudah mengisi realisasi" in texts[kiki.email]


def test_the_asn_page_says_who_must_act_before_the_deadline_too(client, world):
    with time_machine.travel(at(10), tick=False):
        client.force_login(world.kepala)
        budi = client.get(reverse("asn_detail", args=[world.filed.nip])).text
        ani = client.get(reverse("asn_detail", args=[world.lazy.nip])).text
    assert "menunggu penilaian atasan" in budi and "belum mengisi" in ani
