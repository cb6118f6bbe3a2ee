"""The trend chart on a phone (390x844) and on a desktop, as drawn by a real browser: text that can be read,
month labels that do not overlap, and the numbers table open on the phone without a click.

Needs Debian's chromium, as every test in tests/browser/ (see conftest.py there).
"""

import datetime as dt

import pytest

from opd.models import User
from skp import rules
from skp.rollup import refresh_rollup
from tests.browser.conftest import PHONE, log_in
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, asn_user

# Each text of the visible chart: its size on the screen (the font size times the SVG's scale), its box.
TEXTS = """selector => [...document.querySelectorAll(selector)]
  .filter(el => el.getClientRects().length)
  .map(el => {
    const box = el.getBoundingClientRect();
    return {text: el.textContent, px: parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a,
            left: box.left, right: box.right};
  })"""


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
    refresh_rollup()
    return user


@pytest.fixture
def dashboard(browser, live_server, kepala):
    """`dashboard(viewport)`: the Kepala's dashboard, logged in, on a screen of that size."""
    contexts = []

    def open_at(viewport):
        contexts.append(browser.new_context(viewport=viewport))
        page = contexts[-1].new_page()
        log_in(page, live_server, kepala)
        page.wait_for_url("**/opd/DINKES/")
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_on_a_phone_the_chart_text_reads_at_11_px_or_more_and_the_numbers_are_open(dashboard):
    page = dashboard(PHONE)
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


def test_on_a_desktop_the_wide_chart_shows_and_the_numbers_are_a_click_away(dashboard):
    page = dashboard({"width": 1280, "height": 900})
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
