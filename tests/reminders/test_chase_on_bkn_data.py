"""The chase on data shaped like BKN's (tests/fixtures/bkn/api through `import_bkn`), as the people see it:
the Kepala OPD's list and its buttons, the appraiser's digest, and who the mail server hears from."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from opd.models import Asn, User
from reminders.models import Kind
from reminders.schedule import Occasion as DueOccasion
from reminders.services import prepare_occasion
from skp import rules
from tests.factories import UserFactory
from tests.skp.test_real_data import WAITING_BLANK, WAITING_DASH, bkn_data, imported

pytestmark = pytest.mark.django_db
WIB = rules.WIB
AFTER_DEADLINE = dt.datetime(2025, 4, 22, 9, 0, tzinfo=WIB)  # March was due 15 April


def row_of(page: str, nama: str) -> str:
    start = page.index(nama)
    return page[start : page.index("</tr>", start)]


@pytest.fixture
def march(tmp_path):
    """March 2025 imported from BKN's exports; addresses as SIASN's export would give them."""
    with time_machine.travel(dt.datetime(2025, 4, 10, 8, 0, tzinfo=WIB), tick=False):
        imported(tmp_path, bkn_data())
    for asn in Asn.objects.all():
        asn.email = f"{asn.nip}@kapuaskab.go.id"
        asn.save(update_fields=["email"])
    return Asn.objects.get(nip=WAITING_DASH)


def test_the_kepala_opd_sees_who_must_act_and_a_nudge_reaches_the_appraiser_not_the_asn_who_filed(
    march, smtp, django_capture_on_commit_callbacks
):
    filed = march
    appraiser = Asn.objects.get(nip="197210222002031149")  # the row's pegawai_atasan_nip
    head = filed.opd.head or Asn.objects.filter(opd=filed.opd).exclude(pk__in=[filed.pk, appraiser.pk]).first()
    kepala = UserFactory(username=head.nip, asn=head, role=User.Role.KEPALA_OPD, opd=filed.opd)
    client = Client()
    client.force_login(kepala)
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = client.get(reverse("opd_detail", args=[filed.opd.kode]), {"periode": "2025-03"}).text
        row = row_of(page, filed.nama)
        assert "Belum dinilai, lewat batas" in row
        assert f"Ingatkan atasan: {appraiser.nama}" in row
        # Someone who has not filed at all is reminded themself.
        not_filed = Asn.objects.filter(opd=filed.opd, records__isnull=True, known_only_as_appraiser=False).first()
        assert re.search(r">Ingatkan</button>", row_of(page, not_filed.nama))

        with django_capture_on_commit_callbacks(execute=True):  # the outbox sends once the nudge is stored
            response = client.post(reverse("nudge_one", args=[filed.opd.kode, filed.nip]), {"periode": "2025-03"})
        assert response.status_code == 302
    to_appraiser = smtp.to(appraiser.email)
    assert len(to_appraiser) == 1
    body = to_appraiser[0].get_payload(0).get_payload(decode=True).decode()
    assert filed.nama in body and filed.nip in body
    assert smtp.to(filed.email) == []  # who already filed is never asked to file


def test_the_appraiser_s_digest_names_the_staff_waiting_for_their_rating(march):
    waiting = Asn.objects.get(nip=WAITING_BLANK)
    appraiser = Asn.objects.get(nip="197401171998081683")  # named by the unrated row itself
    as_of = dt.datetime(2025, 4, 14, 7, 0, tzinfo=WIB)  # the digest of the 14th, after the file came in
    occasion = DueOccasion("2025-03", Kind.ATASAN_DIGEST, as_of.date(), as_of, as_of)
    with time_machine.travel(as_of, tick=False):
        texts = {m.address: m.body_text for m in prepare_occasion(occasion, as_of=as_of, dry_run=True)}
    digest = texts[appraiser.email]
    assert "Menunggu penilaian Anda di e-Kinerja" in digest
    assert f"{waiting.nama} ({waiting.nip})" in digest


def test_the_first_line_counts_the_rows_the_list_shows_on_bkn_data(march):
    """The dashboard's first line (one aggregate) and its list (row by row) say the same of BKN's rows."""
    head = march.opd.head or Asn.objects.filter(opd=march.opd).exclude(pk=march.pk).first()
    client = Client()
    client.force_login(UserFactory(username=head.nip, asn=head, role=User.Role.KEPALA_OPD, opd=march.opd))
    url = reverse("opd_detail", args=[march.opd.kode])
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = client.get(url, {"periode": "2025-03"}).text
        listed = client.get(url, {"periode": "2025-03", "status": "overdue"}).text
    line = re.search(r"<strong>(\d+) lewat batas:</strong> (\d+) belum mengisi, (\d+) menunggu penilaian atasan", page)
    overdue, not_filed, waiting = (int(n) for n in line.groups())
    rows = listed[listed.index('id="record-list"') :]
    rows = rows[: rows.index("</section>")]
    assert overdue == rows.count("<tr>") - 1 < 50  # the header row apart; one page holds them all
    assert waiting == rows.count("Atasan: ") >= 1  # the row of WAITING_DASH, filed and waiting, among them
    assert not_filed == rows.count("ASN: mengisi laporan") >= 1
    assert overdue == not_filed + waiting
