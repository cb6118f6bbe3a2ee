"""axe-core in a real browser: no critical or serious violation on the pages people use, as the roles
that see them, on a phone (390x844) and on a desktop.

axe-core is vendored (tests/browser/vendor/, its version in the file name), so this runs offline.
Needs Debian's chromium like the other browser tests; skipped without it outside CI.
"""

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
import time_machine

from tests.world import WIB, build_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]
PASSWORD = "rahasia-123"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop; Django refuses ORM calls there unless told.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def world(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=WIB), tick=False):
        w = build_world()
    from skp.rollup import refresh_rollup
    from tests.factories import asn_user

    refresh_rollup()
    w.asn_login = asn_user(w.lazy)
    return w


def violations(page) -> list[dict]:
    """axe-core's critical and serious findings on the page as it stands."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def open_as(browser, live_server, viewport, user, path):
    # No Content Security Policy for the test's own script (axe is injected); the pages are unchanged.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    if user is not None:
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == (404 if path.startswith("/tidak-ada") else 200), path
    return context, page


PAGES = {
    # name: (who, path)
    "login": (None, "/masuk/"),
    "opd_dashboard": ("kepala", "/opd/DINKES/?periode=2026-10"),
    "asn_page": ("asn_login", None),
    "regency": ("admin", "/kabupaten/?periode=2026-10"),
    "not_found": ("kepala", "/tidak-ada/"),
}


def page_violations(browser, live_server, world, name, viewport) -> list[dict]:
    who, path = PAGES[name]
    user = getattr(world, who) if who else None
    if name == "asn_page":
        path = f"/asn/{world.lazy.nip}/"
    context, page = open_as(browser, live_server, viewport, user, path)
    try:
        return violations(page)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_no_critical_or_serious_accessibility_violation(browser, live_server, world, name, viewport):
    found = page_violations(browser, live_server, world, name, viewport)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
