"""`make loadtest`: Kepala OPD, operators and BKPSDM using the portal at once (locust, headless).

Each simulated user logs in once with a demo login, then mixes the OPD
dashboard, its filters (HTMX list swaps) and ASN pages, with 1 to 3 seconds
of thinking between clicks.
"""

import os
import random
import re

from locust import HttpUser, between, task

# "username:OPD,username:OPD…": the demo logins that open OPD pages (loadtest/run.sh reads them).
LOGINS = [tuple(pair.split(":")) for pair in os.environ["KINERJA_LOGINS"].split(",")]
PASSWORD = os.environ.get("KINERJA_PASSWORD", "kinerja-demo")
NIP = re.compile(r'href="/asn/(\d{18})/"')
FILTERS = [
    "status=overdue",
    "status=late",
    "status=on_time",
    "guru=1",
    "guru=0",
    "jenis=PPPK",
    "urut=nama",
    "halaman=2",
]


class PortalUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        username, self.opd = random.choice(LOGINS)  # noqa: S311 (load, not secrets)
        self.client.get("/masuk/", name="/masuk/")
        token = self.client.cookies.get("csrftoken")
        with self.client.post(
            "/masuk/",
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.host + "/masuk/"},
            name="/masuk/ (login)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A refused login answers 200 with the form again: an error for this test.
            if response.status_code != 302:
                response.failure(f"login refused for {username}: HTTP {response.status_code}")
        self.nips = []

    @task(4)
    def dashboard(self):
        response = self.client.get(f"/opd/{self.opd}/", name="/opd/[kode]/")
        self.nips = NIP.findall(response.text) or self.nips

    @task(4)
    def filter_list(self):
        query = random.choice(FILTERS)  # noqa: S311
        self.client.get(f"/opd/{self.opd}/?{query}", headers={"HX-Request": "true"}, name="/opd/[kode]/?filter (HTMX)")

    @task(2)
    def asn_page(self):
        if self.nips:
            self.client.get(f"/asn/{random.choice(self.nips)}/", name="/asn/[nip]/")  # noqa: S311
