"""make bench: server time of the dashboards against the floor of one raw aggregate.

Run against a PostgreSQL database set aside for it (the Makefile makes one per
size); the demo data is seeded there on first use.
"""

import statistics
import time
from io import StringIO

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from opd.models import Asn, Opd, User
from skp import rules
from skp.models import Period
from skp.selectors import period_for, recent_periods

FLOOR_OPD = """
SELECT status, COUNT(*) FROM (
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM skp_exemption e WHERE e.asn_id = a.id AND e.start <= %(end)s
                     AND (e."end" IS NULL OR e."end" >= %(start)s)) THEN 'exempt'
        WHEN r.rated_at <= %(deadline)s THEN 'on_time'
        WHEN r.rated_at IS NOT NULL THEN 'late'
        ELSE 'unrated' END AS status
    FROM opd_asn a
    LEFT JOIN skp_monthlyrecord r ON r.asn_id = a.id AND r.period_id = %(period)s
    WHERE (r.id IS NOT NULL OR a.is_active) AND COALESCE(r.opd_id, a.opd_id) = %(opd)s
) t GROUP BY status
"""

# The regency page's counts: per OPD and teacher group, for each of the 12 periods.
FLOOR_REGENCY = """
SELECT p.id, COALESCE(r.opd_id, a.opd_id), a.is_guru,
       COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM skp_exemption e WHERE e.asn_id = a.id
                         AND e.start <= p.end_date AND (e."end" IS NULL OR e."end" >= p.start_date))),
       COUNT(*) FILTER (WHERE r.rated_at <= COALESCE(p.deadline_override, p.deadline_default)),
       COUNT(*) FILTER (WHERE r.rated_at > COALESCE(p.deadline_override, p.deadline_default)),
       COUNT(*) FILTER (WHERE r.rated_at IS NULL)
FROM skp_period p
CROSS JOIN opd_asn a
LEFT JOIN skp_monthlyrecord r ON r.asn_id = a.id AND r.period_id = p.id
WHERE p.id = ANY(%(periods)s) AND (r.id IS NOT NULL OR a.is_active)
GROUP BY 1, 2, 3
"""


class Command(BaseCommand):
    help = (
        "Benchmark the OPD dashboard of the largest OPD and the regency overview on PostgreSQL: "
        "median and p95 server time, queries per page, and the raw-SQL floor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--asn", type=int, default=8000, help="seed this many ASN first if the database has fewer")
        parser.add_argument("--requests", type=int, default=30)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench measures PostgreSQL: set DATABASE_URL to a database set aside for it")
        n, requests = options["asn"], options["requests"]
        if Asn.objects.count() < n * 0.95:
            self.stdout.write(f"Seeding {n} ASN (first run only)…")
            start = time.perf_counter()
            call_command("seed_demo", "--asn", str(n), stdout=StringIO())
            self.stdout.write(f"  seeded in {time.perf_counter() - start:.0f} s")
        with connection.cursor() as cursor:
            # As autovacuum would after a bulk load: statistics, and the visibility
            # map that lets PostgreSQL answer from covering indexes alone.
            cursor.execute("VACUUM ANALYZE")

        period = period_for(*rules.previous_period(timezone.localdate()))
        periods = [p for p in recent_periods(year=period.year, month=period.month) if p.pk]
        largest = self._largest_opd(period)
        user = User.objects.filter(role=User.Role.PIMPINAN).first()
        if user is None:
            raise CommandError("no demo pimpinan login: run seed_demo")
        client = Client()
        client.force_login(user)

        floor_opd = self._time_sql(
            FLOOR_OPD,
            {
                "start": period.start_date,
                "end": period.end_date,
                "deadline": period.deadline,
                "period": period.pk,
                "opd": largest.pk,
            },
            requests,
        )
        floor_regency = self._time_sql(FLOOR_REGENCY, {"periods": [p.pk for p in periods]}, max(3, requests // 10))
        # Each OPD page twice: as most views are served (the parts read back from the cache,
        # skp/pagecache.py), and as the first view after the data changed (the parts built).
        dashboard = f"OPD dashboard {largest.kode} ({self._size(largest, period)} ASN)"
        page, swap = f"/opd/{largest.kode}/", f"/opd/{largest.kode}/?status=overdue"
        htmx = {"HX-Request": "true"}
        rows = [  # label, address, headers, floor, parts built
            (dashboard, page, {}, floor_opd, False),
            ("  parts built (first view after a change)", page, {}, floor_opd, True),
            ("OPD dashboard, HTMX list swap", swap, htmx, floor_opd, False),
            ("  list built", swap, htmx, floor_opd, True),
            ("regency overview with 12-month trend", "/kabupaten/", {}, floor_regency, False),
        ]
        asn_total = Asn.objects.count()
        self.stdout.write(
            f"\n{asn_total} ASN, {len(periods)} periods, period {period.key}, PostgreSQL, {requests} requests each, "
            f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        self.stdout.write(f"{'page':<48} {'median':>8} {'p95':>8} {'queries':>8} {'floor':>8} {'ratio':>6}")
        with override_settings(ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False):
            for label, url, headers, floor, built in rows:
                median, p95, queries = self._time_page(client, url, headers, requests, built=built)
                self.stdout.write(
                    f"{label:<48} {median:>6.0f}ms {p95:>6.0f}ms {queries:>8} {floor:>6.0f}ms {median / floor:>6.2f}"
                )

    def _largest_opd(self, period: Period) -> Opd:
        from django.db.models import Count

        kode = Asn.objects.filter(is_active=True).values("opd").annotate(n=Count("pk")).order_by("-n").first()
        return Opd.objects.get(pk=kode["opd"])

    def _size(self, opd: Opd, period: Period) -> int:
        return Asn.objects.filter(opd=opd, is_active=True).count()

    def _time_sql(self, sql: str, params: dict, runs: int) -> float:
        times = []
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            for _ in range(runs):
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def _time_page(self, client: Client, url: str, headers: dict, runs: int, built: bool) -> tuple[float, float, int]:
        client.get(url, headers=headers)  # warm: session, caches
        with override_settings(DEBUG=True):  # record queries; request_started clears the log
            if built:
                cache.clear()
            assert client.get(url, headers=headers).status_code == 200, url
            queries = len(connection.queries)
        times = []
        for _ in range(runs):
            if built:
                cache.clear()  # as a change to the OPD's data would: its parts are built again
            start = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        return statistics.median(times), p95, queries
