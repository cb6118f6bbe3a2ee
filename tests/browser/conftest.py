"""What every browser test shares: Debian's chromium driven by Playwright, a phone, a login.

Needs Debian's chromium (`apt-get install chromium`); .ci/run installs it. Without it (or without the
playwright package) these tests are skipped, and pytest's summary says why; in CI (CI set) a missing
chromium is a failure, never a silent skip.
"""

import os
import shutil
from pathlib import Path

import pytest

from bench.management.commands.bench_phone import CHROMIUM_ARGS

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # skipped below, test by test
    sync_playwright = None

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "rahasia-123"  # as tests.factories.UserFactory sets it
PHONE = {"width": 390, "height": 844}
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    # A conftest's pytestmark does not reach the test modules: the marker and the skip are added here.
    if sync_playwright is None:
        skip = pytest.mark.skip(reason="the playwright package is not installed")
    elif not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    else:
        skip = None
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    """One chromium for the whole test module; each test opens its own context or page."""
    # Playwright's sync API runs an event loop; Django refuses ORM calls there unless told.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as p:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A fresh page on a 390x844 phone, its cookies its own."""
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def log_in(page, live_server, user):
    """The login form filled and sent as this user; the page is where it leads."""
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/masuk/" not in page.url, user.username
