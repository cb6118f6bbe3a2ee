"""axe-core in a real browser: no critical or serious violation on the pages people use, as the roles
that see them, on a phone (390x844) and on a desktop.

Two sets: every HTML page the access matrix (tests/test_access_matrix.py) answers with 200, as every
role it answers, on that test's own world (a page added to the matrix is checked here with no
change); and a few pages again on a fuller world (real lists, charts, a 404).

axe-core is vendored (tests/browser/vendor/, its version in the file name), so this runs offline.
Needs Debian's chromium, as every test in tests/browser/ (see conftest.py there).
"""

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from tests.browser.conftest import PHONE, log_in
from tests.test_access_matrix import MATRIX, ROLES, build_matrix_world
from tests.world import WIB, build_world

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
VIEWPORTS = {"phone": PHONE, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def world(transactional_db):
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
        log_in(page, live_server, user)
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


def matrix_pages(role: str) -> list[str]:
    """Every URL (with its {placeholders}) the access matrix opens for this role with a plain GET and a 200.

    HTMX requests are left out: they answer a fragment of a page checked here whole.
    """
    column = ROLES.index(role)
    return [
        url
        for cases in MATRIX.values()
        for method, url, _data, headers, expected in cases
        if method == "get" and not headers.get("HX-Request") and expected[column] == 200
    ]


@pytest.fixture
def matrix_world(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users, values = build_matrix_world()
    # As opd.services.grant_role makes them: BKPSDM's administrators open the admin panel too.
    users["bkpsdm"].is_staff = True
    users["bkpsdm"].save(update_fields=["is_staff"])
    return users, values


def admin_pages(user) -> list[str]:
    """The admin panel as this user sees it: its index, and for each model it may see the list,
    the form of its first row, the empty form to add one and its own extra pages (imports, uploads)."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if not model_admin.has_view_permission(request):
            continue
        urls.append(reverse(f"{info}_changelist"))
        if first := model_admin.get_queryset(request).order_by("pk").first():
            urls.append(reverse(f"{info}_change", args=[first.pk]))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{info}_add"))
        standard = {f"{info[6:]}_{view}" for view in ("changelist", "add", "history", "delete", "change")}
        urls += [
            reverse(f"admin:{extra.name}")
            for extra in model_admin.get_urls()
            if extra.name and extra.name not in standard and "<" not in str(extra.pattern)
        ]
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_access_matrix_as_each_role(browser, live_server, matrix_world, role):
    """One login per role; its session serves both viewports. Downloads and JSON are not pages: skipped."""
    users, values = matrix_world
    urls = [url.format(**values) for url in matrix_pages(role)]
    if role != "anon" and users[role].is_staff:
        urls += admin_pages(users[role])
    assert urls, role
    found, checked, storage = {}, 0, None
    for viewport, size in VIEWPORTS.items():
        context = browser.new_context(viewport=size, bypass_csp=True, storage_state=storage)
        page = context.new_page()
        if role != "anon" and storage is None:
            log_in(page, live_server, users[role])
            storage = context.storage_state()
        for url in urls:
            # Asked first without the page, so that a download never starts in the browser.
            head = context.request.get(f"{live_server.url}{url}", max_redirects=0)
            assert head.status == 200, (role, url, head.status)
            if not head.headers.get("content-type", "").startswith("text/html"):
                continue
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, (role, url)
            checked += 1
            if problems := violations(page):
                found[f"{viewport} {url}"] = problems
        context.close()
    assert checked, role
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


# What the focused element looks like, and whether it can be seen at all.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const look = () => {
    const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor, s.textDecorationLine]
      .join('|');
  };
  window.seenStops = window.seenStops || new WeakSet();
  const again = window.seenStops.has(el);
  window.seenStops.add(el);
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus();  // back where it was, so that the next Tab goes on from here
  return {
    what: el.outerHTML.slice(0, 120),
    again: again,
    width: box.width, height: box.height,
    visible: style.visibility !== 'hidden' && style.display !== 'none' && parseFloat(style.opacity) > 0,
    on_screen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight,
    shows_focus: focused !== unfocused,
  };
}"""


def focus_problems(page, limit=400) -> list[dict]:
    """Tab through the whole page: every stop is seen, on the screen, and looks focused."""
    problems, stops, outside = [], 0, 0
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:  # past the last stop (the browser's own controls): the next Tab starts over
            outside += 1
            if outside > 1:
                break
            continue
        if state["again"]:  # round the page once (it may start at an autofocused field): done
            break
        stops += 1
        if not (state["width"] > 0 and state["height"] > 0 and state["visible"] and state["on_screen"]):
            problems.append({"invisible": state["what"], "box": [state["width"], state["height"]]})
        elif not state["shows_focus"]:
            problems.append({"no focus style": state["what"]})
    assert stops > 2, "no focus stop found"
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", ["login", "opd_dashboard"])
def test_every_focus_stop_is_visible_and_looks_focused(browser, live_server, world, name, viewport):
    who, path = PAGES[name]
    context, page = open_as(browser, live_server, viewport, getattr(world, who) if who else None, path)
    try:
        problems = focus_problems(page)
    finally:
        context.close()
    assert problems == [], json.dumps(problems, indent=1, ensure_ascii=False)
