"""bench_phone finds the first overdue name in the list as a reader would, whatever the rows are made of."""

import pytest

from bench.management.commands.bench_phone import WATCH
from tests.browser.conftest import PHONE

TABLE = """
<section id="record-list"><p>Filter: <span class="badge st-overdue">Belum dinilai, lewat batas</span></p><table>
<tr><td><a href="/asn/1/">Ani Tepat Waktu</a></td><td><span class="badge st-on_time">Tepat</span></td></tr>
<tr><td><a href="/asn/2/">Budi Lewat Batas</a></td><td><span class="badge st-overdue">Lewat</span></td>
    <td><a href="/opd/DISDIK/ingatkan/2/">Ingatkan</a></td></tr>
<tr><td><a href="/asn/3/">Citra Lewat Batas</a></td><td><span class="badge st-overdue">Lewat</span></td></tr>
</table></section>
"""
# Compact rows on a phone: list items, the badge before the name, the nudge beside it.
LIST = """
<section id="record-list"><ul>
<li><span class="badge st-pending">Belum</span> <a href="/asn/4/">Dodi Belum Jatuh Tempo</a></li>
<li><div><span class="badge st-overdue">Lewat</span></div><div><a href="/asn/5/">Eka Lewat Batas</a>
    <form action="/opd/DISDIK/ingatkan/5/"><button>Ingatkan</button></form></div></li>
</ul></section>
"""
NONE = """
<section id="record-list"><table>
<tr><td><a href="/asn/1/">Ani Tepat Waktu</a></td><td><span class="badge st-on_time">Tepat</span></td></tr>
</table></section>
"""
HIDDEN = """
<section id="record-list" style="display: none"><table>
<tr><td><a href="/asn/2/">Budi Lewat Batas</a></td><td><span class="badge st-overdue">Lewat</span></td></tr>
</table></section>
"""


PAGES = {"/table/": TABLE, "/list/": LIST, "/none/": NONE, "/hidden/": HIDDEN}


@pytest.fixture(scope="module")
def browser_page(browser):
    page = browser.new_page(viewport=PHONE)
    # As in the bench: the watch is in place before the page's first byte is parsed.
    page.add_init_script(WATCH)
    page.route(
        "http://portal.test/**",
        lambda route: route.fulfill(
            body=PAGES[route.request.url[len("http://portal.test") :]], content_type="text/html"
        ),
    )
    yield page
    page.close()


def load(page, path):
    page.goto(f"http://portal.test{path}")


@pytest.mark.parametrize(
    ("path", "name", "href"),
    [("/table/", "Budi Lewat Batas", "/asn/2/"), ("/list/", "Eka Lewat Batas", "/asn/5/")],
    ids=["table rows", "list items"],
)
def test_the_first_overdue_rows_name_is_found(browser_page, path, name, href):
    page = browser_page
    load(page, path)
    page.wait_for_function("window.__firstOverdue !== undefined", timeout=5_000)
    first = page.evaluate("window.__firstOverdue")
    assert (first["name"], first["href"]) == (name, href)
    # Every name of the list asks for its paint time.
    assert page.locator(f"a[href='{href}']").get_attribute("elementtiming") == href


@pytest.mark.parametrize("path", ["/none/", "/hidden/"], ids=["no overdue row", "list not shown"])
def test_no_name_without_an_overdue_row_on_screen(browser_page, path):
    page = browser_page
    load(page, path)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__firstOverdue") is None
