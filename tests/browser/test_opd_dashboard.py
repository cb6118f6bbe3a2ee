"""A Kepala OPD in a real browser: filter the list (an HTMX swap), go back, try another OPD.

Needs Debian's chromium, as every test in tests/browser/ (see conftest.py there).
"""

import datetime as dt

import pytest

from opd.models import User
from skp import rules
from skp.rollup import refresh_rollup
from tests.browser.conftest import log_in
from tests.factories import AsnFactory, OpdFactory, PeriodFactory, RecordFactory, UnitFactory, asn_user


@pytest.fixture
def world(transactional_db):
    year, month = rules.previous_period(dt.date.today())
    period = PeriodFactory(year=year, month=month)
    dinkes = OpdFactory(kode="DINKES", nama="Dinas Kesehatan")
    OpdFactory(kode="DLH", nama="Dinas Lingkungan Hidup")
    unit = UnitFactory(opd=dinkes, nama="Puskesmas Selat")
    RecordFactory(asn=AsnFactory(opd=dinkes, unit=unit, nama="Budi Belum Mengisi"), period=period)
    # Citra filed (an unrated BKN row): she waits for her appraiser, the puskesmas head.
    head = AsnFactory(opd=dinkes, unit=unit, nama="Kepala Puskesmas")
    citra = AsnFactory(opd=dinkes, unit=unit, atasan=head, nama="Citra Sudah Mengisi")
    RecordFactory(asn=citra, period=period, stage=rules.SUBMITTED)
    RecordFactory(
        asn=AsnFactory(opd=dinkes, unit=unit, nama="Ani Sudah Dinilai"),
        period=period,
        rated=True,
        rated_at=dt.datetime(year, month, 28, 9, 0, tzinfo=rules.WIB),
    )
    kepala = asn_user(AsnFactory(opd=dinkes, unit=None, nama="Kepala Dinas"), User.Role.KEPALA_OPD, dinkes)
    refresh_rollup()
    return {"kepala": kepala, "period": period}


def test_kepala_filters_goes_back_and_cannot_open_another_opd(phone_page, live_server, world):
    page = phone_page
    log_in(page, live_server, world["kepala"])
    page.wait_for_url("**/opd/DINKES/")
    # By default the list holds those who must act: Budi, not Ani, who is rated.
    assert page.locator("#record-list").get_by_text("Budi Belum Mengisi").is_visible()
    assert page.locator("#record-list").get_by_text("Ani Sudah Dinilai").count() == 0

    # Mark the page: a full reload would lose this, an HTMX swap keeps it.
    page.evaluate("window.kinerjaMarker = 'still here'")
    page.select_option("#f-status", "semua")
    page.wait_for_url("**status=semua**")
    page.locator("#record-list").get_by_text("Ani Sudah Dinilai").wait_for()
    page.select_option("#f-status", "overdue")
    page.wait_for_url("**status=overdue**")
    page.locator("#record-list").get_by_text("Ani Sudah Dinilai").wait_for(state="detached")
    assert page.locator("#record-list").get_by_text("Budi Belum Mengisi").is_visible()
    assert page.evaluate("window.kinerjaMarker") == "still here"
    assert page.locator("h1").inner_text() == "Dinas Kesehatan"

    page.go_back()
    page.wait_for_url("**status=semua**")
    page.locator("#record-list").get_by_text("Ani Sudah Dinilai").wait_for()

    response = page.goto(f"{live_server.url}/opd/DLH/")
    assert response.status == 404
    assert "Tidak ditemukan" in page.content()


def test_the_kepala_reminds_an_asn_with_one_click_under_the_content_security_policy(
    phone_page, live_server, world, settings
):
    """An HTMX POST (the CSRF token from hx-headers) swaps the button for when the reminder went out."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    page = phone_page
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    log_in(page, live_server, world["kepala"])
    page.wait_for_url("**/opd/DINKES/")
    page.evaluate("window.kinerjaMarker = 'still here'")
    row = page.locator("#record-list tr", has_text="Budi Belum Mengisi")
    row.get_by_role("button", name="Ingatkan Budi Belum Mengisi sekarang").click()
    row.get_by_text("Pengingat dikirim kepada 1 ASN.").wait_for()
    assert "Terakhir diingatkan hari ini" in row.inner_text()
    assert page.evaluate("window.kinerjaMarker") == "still here"  # a swap, not a new page
    # The appraisers' ranking: one click reminds the puskesmas head of Citra, who has filed.
    ranking = page.locator("section.appraisers tr", has_text="Kepala Puskesmas")
    ranking.get_by_role("button", name="Ingatkan atasan: Kepala Puskesmas").click()
    ranking.get_by_text("Pengingat dikirim kepada 1 atasan").wait_for()
    assert page.evaluate("window.kinerjaMarker") == "still here"
    assert violations == []
