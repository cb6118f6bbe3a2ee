"""The trend chart on a phone (390x844) and on a desktop, as drawn by a real browser: text that can be read,
month labels that do not overlap, and the numbers table open on the phone without a click.

Needs Debian's chromium like the other browser tests; skipped without it outside CI.
"""

import datetime as dt
import os
import shutil

import pytest

from opd.models import User
from skp import rules
from skp.rollup import rollup_refresh
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, asn_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PASSWORD = "rahasia-123"

# Each text of the visible chart: its size on the screen (the font size times the SVG's scale), its box.
TEXTS = """selector => [...document.querySelectorAll(selector)]
  .filter(el => el.getClientRects().length)
  .map(el => {
    const box = el.getBoundingClientRect();
    return {text: el.textContent, px: parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a,
            left: box.left, right: box.right};
  })"""


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop; Django refuses ORM calls there unless told.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def kepala(transactional_db):
    """Dinas Kesehatan, five ASN and no teachers: 2 on time, then 3, then all 5 in the month chased.

    Every record of those months has its deadline passed or is rated, whatever the day: the rates are fixed.
    (Months with no record count everyone as overdue: 0 %.)
    """
    chased = rules.previous_period(dt.date.today())
    _chased, last, before = rules.months_back(*chased, 3)
    dinkes = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    head = AsnFactory(opd=dinkes, unit=None, nama="Kepala Dinas")
    staff = [head, *(AsnFactory(opd=dinkes, unit=None, nama=f"Pegawai {n}") for n in range(4))]
    for (y, m), on_time in ((before, 2), (last, 3), (chased, 5)):
        period = PeriodFactory(year=y, month=m)
        for n, asn in enumerate(staff):
            if n < on_time:
                RecordFactory(
                    asn=asn, period=period, rated=True, rated_at=dt.datetime(y, m, 28, 9, 0, tzinfo=rules.WIB)
                )
            else:
                RecordFactory(asn=asn, period=period)
    user = asn_user(head, User.Role.KEPALA_OPD, dinkes)
    rollup_refresh()
    return user


def _dashboard(browser, live_server, kepala, viewport):
    page = browser.new_page(viewport=viewport)
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", kepala.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/opd/DINKES/")
    return page


def test_on_a_phone_the_chart_text_reads_at_11_px_or_more_and_the_numbers_are_open(
    browser, live_server, kepala, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = _dashboard(browser, live_server, kepala, {"width": 390, "height": 844})
    chart = page.locator("figure.trend")
    assert chart.locator("svg.trend-narrow").is_visible()
    assert not chart.locator("svg.trend-wide").is_visible()

    axis = page.evaluate(TEXTS, "figure.trend svg text.axis")
    assert len(axis) >= 6  # the y ticks and some months
    assert min(t["px"] for t in axis) >= 11, axis
    months = sorted((t for t in axis if " 20" in t["text"]), key=lambda t: t["left"])
    assert months and all(a["right"] <= b["left"] for a, b in zip(months, months[1:], strict=False)), months

    latest = page.evaluate(TEXTS, "figure.trend svg text.latest")
    assert [t["text"] for t in latest] == ["100%"]  # everyone = non-teachers: one label
    assert latest[0]["px"] >= 11
    assert "Guru" not in chart.locator(".legend").inner_text()  # no teachers here: no line for them
    assert "Selain guru (garisnya sama dengan Semua ASN)" in chart.locator(".legend").inner_text()
    assert "bukan dari nol" not in chart.inner_text()  # from 0 % to 100 %: the axis starts at 0

    # The numbers, without a click.
    table = chart.locator(".numbers-open table")
    assert table.is_visible()
    rows = table.inner_text().splitlines()
    assert [row.split("\t")[1] for row in rows[-3:]] == ["40%", "60%", "100%"]


def test_on_a_desktop_the_wide_chart_shows_and_the_numbers_are_a_click_away(browser, live_server, kepala, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    page = _dashboard(browser, live_server, kepala, {"width": 1280, "height": 900})
    chart = page.locator("figure.trend")
    assert chart.locator("svg.trend-wide").is_visible()
    assert not chart.locator("svg.trend-narrow").is_visible()
    axis = page.evaluate(TEXTS, "figure.trend svg text.axis")
    assert min(t["px"] for t in axis) >= 11, axis
    assert not chart.locator(".numbers-open").is_visible()
    table = chart.locator("details.numbers table")
    assert not table.is_visible()
    chart.locator("details.numbers summary").click()
    assert table.is_visible()
