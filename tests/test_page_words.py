"""No raw codes on the pages people read: an OPD is named (DINKES stays in the URLs), a month is written
"Oktober 2026" (2026-10 stays in the URLs and forms), a date "20 November 2026", nothing chosen is said in words."""

import re

import pytest

from helpdesk.services import open_ticket
from tests.test_admin_words import visible_text
from tests.world import build_world

pytestmark = pytest.mark.django_db

RAW = re.compile(r"DINKES|\b\d{4}-\d{2}(-\d{2})?\b|\b\d{4}-[QS]\d\b|---------")


def test_the_pages_of_a_kepala_and_of_bkpsdm_show_no_code_and_no_period_key(client):
    w = build_world()
    ticket = open_ticket(reporter=w.kepala, category="data", subject="Data salah", description="Nama salah", asn=w.lazy)
    pages = {
        w.kepala: [
            "/opd/DINKES/?periode=2026-10",
            "/opd/DINKES/?periode=2026-10&status=semua",
            f"/asn/{w.lazy.nip}/",
            "/opd/DINKES/unit/?periode=2026-10",
            "/opd/DINKES/tpp/?periode=2026-10",
            "/opd/DINKES/skp-tahunan/",
            "/bantuan/",
            f"/bantuan/{ticket.pk}/",
            "/bantuan/baru/",
            "/akun/notifikasi/",
        ],
        w.admin: ["/kabupaten/?periode=2026-10", "/tpp/?periode=2026-10", "/skp-tahunan/", "/operasi/", "/bantuan/"],
    }
    found = {}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            if RAW.search(text):
                found[url] = [text[max(0, m.start() - 40) : m.end() + 20] for m in RAW.finditer(text)]
    assert found == {}
    client.force_login(w.admin)
    assert "Dinas Kesehatan" in visible_text(client.get("/bantuan/").content.decode())
