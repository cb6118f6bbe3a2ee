"""The Kepala of Dinas Pendidikan (8,000 ASN) on a 390×844 phone: who is late and what to do on the first screen.

Positions and bytes, never times: the first overdue name (a link to the ASN's
page) and its reminder button lie within the first screen, and a cold load of
the dashboard moves at most 150 KB. Needs Debian's chromium, as every test in
tests/browser/ (see conftest.py there).
"""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from opd.models import Asn, Unit, User
from skp import rules
from skp.models import MonthlyRecord
from skp.rollup import refresh_rollup
from tests.browser.conftest import PHONE
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, asn_user, valid_nip

SCHOOLS = 300
ASN = 8000
BUDGET = 150 * 1024  # bytes a cold load of the dashboard may move
# Of the 7,700 teachers, a tenth each: six rated, one filed and waiting (for the heads of 30 schools), three not
# filed; the 300 heads and the Kepala Dinas have no record. Thousands are grouped the Indonesian way (3.381).
OVERDUE, NOT_FILED, WAITING, APPRAISERS = "3.381", "2.611", "770", "30"


@pytest.fixture
def disdik(transactional_db):
    """Disdik as the demo has it: 300 schools, a head each, 8,000 ASN; last month partly rated, partly overdue."""
    year, month = rules.previous_period(dt.date.today())
    period = PeriodFactory(year=year, month=month)
    opd = OpdFactory(kode="DISDIK", nama="Dinas Pendidikan")
    Unit.objects.bulk_create([Unit(opd=opd, nama=f"SD Negeri {i:03d} Kapuas") for i in range(SCHOOLS)])
    schools = list(Unit.objects.filter(opd=opd).order_by("nama"))
    Asn.objects.bulk_create(
        [
            Asn(nip=valid_nip(600_000 + i), nama=f"Kepala {s.nama}", opd=opd, unit=s, jabatan="Kepala Sekolah")
            for i, s in enumerate(schools)
        ]
    )
    heads = {a.unit_id: a for a in Asn.objects.filter(opd=opd)}
    staff = ASN - SCHOOLS
    Asn.objects.bulk_create(
        [
            Asn(
                nip=valid_nip(610_000 + i),
                nama=f"Guru {i:04d}",
                opd=opd,
                unit=schools[i % SCHOOLS],
                atasan=heads[schools[i % SCHOOLS].pk],
                jabatan="Guru Ahli Pertama",
                email=f"guru{i}@example.go.id",
            )
            for i in range(staff)
        ]
    )
    rated_on_time = dt.datetime(year, month, 28, 9, 0, tzinfo=rules.WIB)
    rated_late = period.deadline + dt.timedelta(days=1)
    records = []
    for i, asn in enumerate(Asn.objects.filter(opd=opd, nama__startswith="Guru").order_by("nama")):
        kind = i % 10
        rated = kind < 6
        records.append(
            MonthlyRecord(
                asn=asn,
                period=period,
                opd=opd,
                unit_id=asn.unit_id,
                atasan_id=asn.atasan_id,
                source="ekinerja",
                stage=rules.RATED if rated else rules.SUBMITTED if kind == 6 else rules.NOT_STARTED,
                rated_at=(rated_late if kind == 5 else rated_on_time) if rated else None,
                rating_hasil=rules.AS_EXPECTED if rated else None,
                rating_perilaku=rules.AS_EXPECTED if rated else None,
            )
        )
    MonthlyRecord.objects.bulk_create(records, batch_size=2000)
    kepala = asn_user(AsnFactory(opd=opd, unit=None, nama="Kepala Dinas Pendidikan"), User.Role.KEPALA_OPD, opd)
    refresh_rollup(periods=[period])
    return {"kepala": kepala, "period": period}


@pytest.fixture
def kepalas_phone(browser, live_server, disdik):
    """`kepalas_phone(**context_options)`: a phone whose browser is logged in as the Kepala
    (the session cookie set, no page loaded: a cold cache)."""
    client = Client()
    client.force_login(disdik["kepala"])
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    contexts = []

    def open_page(**options):
        contexts.append(browser.new_context(viewport=PHONE, **options))
        contexts[-1].add_cookies([cookie])
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


def bytes_moved(page, url: str) -> int:
    """Every byte the load of `url` moved over the network (headers and bodies as sent), by Chrome's own count."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    moved = []
    cdp.on("Network.loadingFinished", lambda event: moved.append(event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return sum(moved)


def test_the_first_screen_shows_the_first_overdue_name_and_its_button_within_150_kb(kepalas_phone, live_server):
    page = kepalas_phone()
    moved = bytes_moved(page, f"{live_server.url}/opd/DISDIK/")
    assert moved <= BUDGET, f"{moved} bytes"

    # Who is late and what to do, in one line, with the action beside it.
    headline = page.locator(".first-line .headline").inner_text()
    assert headline == f"{OVERDUE} lewat batas: {NOT_FILED} belum mengisi, {WAITING} menunggu penilaian atasan"
    remind_all = page.get_by_role("link", name="Ingatkan semua yang lewat batas…")
    assert remind_all.bounding_box()["y"] + remind_all.bounding_box()["height"] <= PHONE["height"]

    # The first row: an overdue ASN, a link to their page, and the one button, all on the first screen.
    row = page.locator("#record-list tbody tr").first
    name = row.locator("td.c-name a")
    assert re.fullmatch(r"/asn/\d{18}/", name.get_attribute("href"))
    assert row.locator(".badge").inner_text() == "Belum dinilai, lewat batas"
    button = row.locator("td.c-nudge button")
    for element in (name, button):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    # The secondary columns are hidden on a phone.
    assert not row.locator("td.c-more").first.is_visible()

    # "Berikutnya" at the bottom of the list: the list alone is swapped, marked busy while it loads,
    # and the page scrolls back to the list's heading instead of staying at the bottom.
    busy = []

    def hold(route):
        busy.append(page.locator("#record-list").get_attribute("aria-busy"))
        route.continue_()

    page.route(re.compile(r"halaman=2"), hold)
    page.evaluate("window.kinerjaMarker = 'still here'")
    page.get_by_role("link", name="Berikutnya").click()
    page.wait_for_url(re.compile(r"halaman=2"))
    page.get_by_text("Halaman 2 dari").wait_for()
    assert busy == ["true"]
    assert page.locator("#record-list").get_attribute("aria-busy") is None
    assert page.evaluate("window.kinerjaMarker") == "still here"  # a swap, not a new page
    assert abs(page.locator("#daftar").bounding_box()["y"]) < 2


def test_the_default_list_holds_only_who_must_act_and_the_sort_works_without_javascript(kepalas_phone, live_server):
    page = kepalas_phone(java_script_enabled=False)
    page.goto(f"{live_server.url}/opd/DISDIK/")
    # Those who must act: the overdue alone (nobody rated, nobody exempt).
    assert page.locator(".list-count").inner_text() == f"{OVERDUE} ASN"
    badges = set(page.locator("#record-list .badge").all_inner_texts())
    assert badges == {"Belum dinilai, lewat batas"}

    # A plain GET of the form: sort by name, Z to A, and come back at the list.
    page.select_option("#f-urut", "-nama")
    page.get_by_role("button", name="Saring").click()
    page.wait_for_url(re.compile(r"urut=-nama.*#daftar$"))
    names = page.locator("#record-list td.c-name a").all_inner_texts()
    assert names == sorted(names, reverse=True) and names[0] == "Kepala SD Negeri 299 Kapuas"
    assert page.evaluate("window.scrollY") > 0  # at the list's heading, not the top of the page

    # "Semua": everyone, the rated included.
    page.select_option("#f-status", "semua")
    page.get_by_role("button", name="Saring").click()
    page.wait_for_url(re.compile(r"status=semua"))
    assert page.locator(".list-count").inner_text() == "8.001 ASN"

    # Remind all: a page that says how many get a message, and sends nothing until confirmed.
    page.goto(f"{live_server.url}/opd/DISDIK/")
    page.get_by_role("link", name="Ingatkan semua yang lewat batas…").click()
    page.wait_for_url(re.compile(r"/opd/DISDIK/ingatkan/\?"))
    text = page.locator("main").inner_text()
    assert f"{NOT_FILED} ASN yang belum mengisi akan diingatkan." in text
    assert f"{APPRAISERS} atasan akan menerima satu pesan per atasan tentang {WAITING} staf" in text
    page.get_by_role("link", name="Batal").click()
    page.wait_for_url(re.compile(r"/opd/DISDIK/.*#daftar$"))
    from reminders.models import Message

    assert not Message.objects.exists()
