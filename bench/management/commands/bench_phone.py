"""make bench: the Kepala OPD's dashboard on a phone over emulated slow 3G, in Debian's chromium.

The portal is served as production serves it: gunicorn, DEBUG off, pages gzipped
by Django and static files by WhiteNoise from collectstatic's compressed copies
(only TLS is left out: loopback). Each load starts from an empty browser cache,
at 390×844, with Chromium's network throttling at 400 ms latency and 400 kbit/s
both ways. Reported: the time from the start of the navigation until the first
overdue ASN's name in the list is painted, its position on the page, and the
bytes the load moved (every response as it came over the wire, headers
included, static files too), with the largest responses.
"""

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from opd.models import Asn, Opd, User

TARGET_SECONDS = 3.0
TARGET_BYTES = 150 * 1000
LATENCY_MS = 400
KBIT_PER_S = 400
VIEWPORT = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Runs in the page before its own scripts. The first overdue name is the ASN link of the first
# row whose status badge says overdue, whatever the rows are made of (table rows, list items):
# from the badge up to the nearest element holding exactly one ASN link.
WATCH = """
(() => {
  // Every ASN link of the list asks for Element Timing (the time its text is first painted),
  // marked as the parser inserts it, before any frame.
  const marked = "#record-list a[href*='/asn/']:not([elementtiming])";
  new MutationObserver(() => {
    for (const link of document.querySelectorAll(marked)) link.setAttribute("elementtiming", link.getAttribute("href"));
  }).observe(document, {childList: true, subtree: true});
  const firstOverdue = () => {
    const list = document.getElementById("record-list");
    if (!list) return null;
    for (const badge of list.querySelectorAll(".st-overdue")) {
      for (let row = badge.parentElement; row && row !== list.parentElement; row = row.parentElement) {
        const links = row.querySelectorAll('a[href*="/asn/"]');
        if (links.length === 1) return links[0];
        if (links.length > 1) break;
      }
    }
    return null;
  };
  const look = () => {
    const link = firstOverdue();
    const box = link && link.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0 && getComputedStyle(link).visibility !== "hidden") {
      window.__firstOverdue = {
        laidOutMs: performance.now(), name: link.textContent.trim(), href: link.getAttribute("href"),
        top: Math.round(box.top + window.scrollY), bottom: Math.round(box.bottom + window.scrollY),
      };
      return;
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})();
"""

# After the load: when the name was painted, as Element Timing says; Chromium also paints what lies
# a few screens below the viewport, but not everything, so without an entry: the later of the frame
# the name was laid out in and the first contentful paint (the first frame that could show it).
PAINTED = """
async () => {
  const first = window.__firstOverdue;
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const elements = await new Promise((resolve) => {
    const seen = [];
    new PerformanceObserver((list) => seen.push(...list.getEntries())).observe({type: "element", buffered: true});
    setTimeout(() => resolve(seen), 200);
  });
  const entry = first && elements.find((e) => e.identifier === first.href);
  return {
    first, fcpMs: paint ? paint.startTime : null,
    elementMs: entry ? entry.renderTime || entry.loadTime : null,
  };
}
"""


class Command(BaseCommand):
    help = (
        "Benchmark the Kepala OPD's dashboard of the largest OPD (Disdik) on a 390×844 phone over emulated "
        "slow 3G with a cold cache: time to the first overdue name and bytes moved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--opd", default="DISDIK", help="the OPD whose Kepala OPD opens the dashboard")
        parser.add_argument("--runs", type=int, default=5, help="cold loads; the median is judged")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile's 3)")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench measures PostgreSQL: set DATABASE_URL to a database set aside for it")
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        if not os.path.exists(chromium):
            raise CommandError("Debian's chromium is not installed (apt-get install chromium)")
        try:
            from playwright.sync_api import TimeoutError as PlaywrightTimeout
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise CommandError("the playwright package is not installed (a dev dependency)") from None
        opd = Opd.objects.filter(kode=options["opd"]).first()
        kepala = User.objects.filter(role=User.Role.KEPALA_OPD, opd=opd, is_active=True).first() if opd else None
        if kepala is None:
            raise CommandError(f"no Kepala OPD login for {options['opd']}: run seed_demo")

        # The compressed copies WhiteNoise serves (gzip and brotli beside each file).
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()
        client.force_login(kepala)  # a session the server reads from the same database
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/opd/{opd.kode}/"
        server = self._start_server(port, options["workers"])
        try:
            _wait_for(f"{base}/sehat/", seconds=60)
            # Each worker warm (imports, compiled templates) and the dashboard's parts in the cache,
            # as most views are served; only the browser's cache is cold.
            for _ in range(4 * options["workers"]):
                _get(url, session_key)
            # Playwright's sync API runs an event loop in this thread; no ORM call happens under it.
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                try:
                    loads = [
                        self._load(browser, base, url, session_key, PlaywrightTimeout) for _ in range(options["runs"])
                    ]
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(10)
            Session.objects.filter(session_key=session_key).delete()
        self._report(opd, loads)

    def _start_server(self, port: int, workers: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            # Loopback has no TLS: the two settings that need it are off, nothing else.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "LOG_LEVEL": "WARNING",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        return subprocess.Popen(  # noqa: S603 (our own virtualenv's gunicorn, fixed arguments)
            [
                str(gunicorn),
                "kapuas_kinerja.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--log-level",
                "error",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )

    def _load(self, browser, base: str, url: str, session_key: str, timeout_error: type) -> dict:
        """One load from a new browser context (an empty cache) over the throttled network."""
        context = browser.new_context(viewport=VIEWPORT)
        try:
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base}])
            page = context.new_page()
            page.add_init_script(WATCH)
            cdp = context.new_cdp_session(page)
            requests = {}

            def seen(event):
                requests.setdefault(event["requestId"], {"url": event["request"]["url"], "bytes": 0})

            def answered(event):
                response = event["response"]
                headers = {k.lower(): v for k, v in response["headers"].items()}
                requests[event["requestId"]].update(
                    status=response["status"], encoding=headers.get("content-encoding", "")
                )

            def received(event):
                row = requests[event["requestId"]]
                row["decoded"] = row.get("decoded", 0) + event["dataLength"]

            def finished(event):
                requests[event["requestId"]]["bytes"] = event["encodedDataLength"]
                requests[event["requestId"]]["done"] = True

            def failed(event):
                requests[event["requestId"]]["failed"] = event.get("errorText", "failed")

            cdp.on("Network.requestWillBeSent", seen)
            cdp.on("Network.responseReceived", answered)
            cdp.on("Network.dataReceived", received)
            cdp.on("Network.loadingFinished", finished)
            cdp.on("Network.loadingFailed", failed)
            cdp.send("Network.enable")
            cdp.send("Network.clearBrowserCache")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": LATENCY_MS,
                    "downloadThroughput": KBIT_PER_S * 1000 / 8,  # bytes per second
                    "uploadThroughput": KBIT_PER_S * 1000 / 8,
                },
            )
            started = time.perf_counter()
            response = page.goto(url, wait_until="load", timeout=120_000)
            load_s = time.perf_counter() - started
            if response is None or response.status != 200:
                raise CommandError(f"{url} answered {response.status if response else 'nothing'}, not 200")
            if page.url != url:
                raise CommandError(f"{url} ended at {page.url}: is the session refused?")
            with contextlib.suppress(timeout_error):  # no overdue row on the page: said in the report
                page.wait_for_function("window.__firstOverdue !== undefined", timeout=30_000)
            page.wait_for_load_state("networkidle", timeout=60_000)
            painted = page.evaluate(PAINTED)
        finally:
            context.close()
        unfinished = [r["url"] for r in requests.values() if not r.get("done")]
        first, fcp = painted["first"], painted["fcpMs"]
        if first:
            timed = painted["elementMs"] is not None
            first["timed"] = "Element Timing" if timed else "the first paint after its layout"
            first["ms"] = painted["elementMs"] if timed else max(first["laidOutMs"], fcp or 0)
        return {
            "first": first,
            "paint_ms": fcp,
            "load_s": load_s,
            "bytes": sum(r["bytes"] for r in requests.values()),
            "requests": sorted(requests.values(), key=lambda r: -r["bytes"]),
            "unfinished": unfinished,
        }

    def _report(self, opd: Opd, loads: list[dict]) -> None:
        size = Asn.objects.filter(opd=opd, is_active=True).count()
        self.stdout.write(
            f"\nDashboard of {opd.kode} ({size} ASN) as its Kepala OPD, {VIEWPORT['width']}×{VIEWPORT['height']}, "
            f"slow 3G ({LATENCY_MS} ms, {KBIT_PER_S} kbit/s both ways), cold cache, gunicorn with DEBUG off"
        )
        for number, load in enumerate(loads, 1):
            first = load["first"]
            name = f"{first['ms'] / 1000:.2f} s" if first else "never"
            self.stdout.write(
                f"  load {number}: first overdue name {name}, first contentful paint {_seconds(load['paint_ms'])}, "
                f"load event {load['load_s']:.2f} s, {load['bytes'] / 1000:.1f} kB in {len(load['requests'])} requests"
            )
        first = loads[-1]["first"]
        if first:
            where = "within" if first["bottom"] <= VIEWPORT["height"] else "NOT within"
            self.stdout.write(
                f"  the name: {first['name']} ({first['href']}) at y = {first['top']} px, {where} the first screen "
                f"of {VIEWPORT['height']} px; its paint timed by {first['timed']}"
            )
        times = [load["first"]["ms"] / 1000 for load in loads if load["first"]]
        sizes = [load["bytes"] for load in loads]
        time_ok = len(times) == len(loads) and statistics.median(times) <= TARGET_SECONDS
        bytes_ok = statistics.median(sizes) <= TARGET_BYTES
        if len(times) == len(loads):
            measured = f"{statistics.median(times):.2f} s"
        else:
            measured = f"never in {len(loads) - len(times)} loads"
        moved = f"{statistics.median(sizes) / 1000:.1f} kB"
        self.stdout.write(f"  {'median of ' + str(len(loads)) + ' loads':<28} {'measured':>9}   target")
        self.stdout.write(
            f"  {'first overdue name visible':<28} {measured:>9}   <= {TARGET_SECONDS:.0f} s    "
            f"{'pass' if time_ok else 'FAIL'}"
        )
        self.stdout.write(
            f"  {'bytes moved':<28} {moved:>9}   <= {TARGET_BYTES // 1000} kB  {'pass' if bytes_ok else 'FAIL'}"
        )
        self.stdout.write("  largest responses of the last load (on the wire / decoded, encoding):")
        for row in loads[-1]["requests"][:6]:
            self.stdout.write(
                f"    {row['bytes'] / 1000:>6.1f} kB / {row.get('decoded', 0) / 1000:>6.1f} kB "
                f"{row.get('encoding') or 'identity':<8} {urlsplit(row['url']).path}"
            )
        if loads[-1]["unfinished"]:
            self.stdout.write(f"  never finished: {', '.join(loads[-1]['unfinished'])}")
        if not (time_ok and bytes_ok):
            raise CommandError("the dashboard on slow 3G is over its target")


def _seconds(ms: float | None) -> str:
    return "none" if ms is None else f"{ms / 1000:.2f} s"


def _get(url: str, session_key: str) -> None:
    request = urllib.request.Request(  # noqa: S310 (loopback, our own server)
        url, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}", "Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback, our own server)
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"the portal did not answer at {url}")
