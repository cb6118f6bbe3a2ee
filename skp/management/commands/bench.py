import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from opd.access import Scope
from opd.models import User
from skp import rules
from skp.selectors import compliance_report, compliance_rows, compliance_summary, period_for


class Command(BaseCommand):
    help = "Time the hot paths on the current data (run seed_demo first): median of --runs runs."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **options):
        kepala = User.objects.filter(role=User.Role.KEPALA_OPD, opd__kode="DISDIK").select_related("opd").first()
        if kepala is None:
            raise CommandError("no demo data: run `manage.py seed_demo` first")
        period = period_for(*rules.previous_period(timezone.localdate()))
        everyone = Scope(role="bench", all_opd=True)
        client = Client()
        client.force_login(kepala)
        runs = options["runs"]

        def summary():
            compliance_summary(compliance_rows(period=period, as_of=timezone.now(), scope=everyone))

        def report():
            compliance_report(period=period, as_of=timezone.now(), scope=everyone)

        def opd_page():
            assert client.get(f"/opd/{kepala.opd.kode}/").status_code == 200

        def opd_page_htmx():
            assert (
                client.get(f"/opd/{kepala.opd.kode}/?status=overdue", headers={"HX-Request": "true"}).status_code == 200
            )

        self.stdout.write(f"{connection.vendor}, period {period.key}, median of {runs} runs")
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=True):
            for label, fn in [
                ("regency summary (all ASN, 1 query)", summary),
                ("compliance report, every row of the regency", report),
                (f"OPD page {kepala.opd.kode}, whole page", opd_page),
                (f"OPD page {kepala.opd.kode}, HTMX list only", opd_page_htmx),
            ]:
                fn()  # warm up
                times = []
                for _ in range(runs):
                    reset_queries()
                    start = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - start)
                queries = len(connection.queries)
                self.stdout.write(f"  {label:<50} {statistics.median(times) * 1000:8.1f} ms  {queries} queries")
