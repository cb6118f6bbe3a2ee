"""make bench, the data-in half: the sync over loopback and a 60,000-row import.

Run against the PostgreSQL database `bench` seeded (same --asn and seed as
seed_demo), so the simulator serves the people the database holds.
"""

import socketserver
import tempfile
import threading
import time
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import openpyxl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from kapuas_kinerja.measure import run_command
from opd.models import Opd
from skp import rules
from skp.bkn.ekinerja import EkinerjaClient
from skp.bkn.imports import MONTHS
from skp.bkn.siasn import SiasnClient
from skp.bkn.simulator import SIASN_CREDENTIALS, TOKEN, Simulator
from skp.bkn.sync import sync_ekinerja, sync_siasn
from skp.models import MonthlyRecord, Period


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Command(BaseCommand):
    help = "Benchmark the sync from the simulator over loopback and the import of a 60,000-row export."

    def add_arguments(self, parser):
        parser.add_argument("--asn", type=int, default=8000, help="the seeded size (the simulator serves the same)")
        parser.add_argument("--siasn-opd", default="DINKES", help="the OPD whose ASN the SIASN path is timed on")
        parser.add_argument("--import-rows", type=int, default=60000)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench measures PostgreSQL: set DATABASE_URL to a database set aside for it")
        simulator = Simulator(asn_count=options["asn"], seed=settings.BKN_SIMULATOR_SEED)
        start = time.perf_counter()
        simulator.data  # noqa: B018  (build the generator's data before timing the sync)
        self.stdout.write(f"simulator data for {options['asn']} ASN built in {time.perf_counter() - start:.1f} s")
        server = ThreadingServer(("127.0.0.1", 0), Quiet)
        server.set_app(simulator)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        try:
            self._ekinerja(url)
            self._siasn(url, options["siasn_opd"])
            self._import(simulator, options["import_rows"])
        finally:
            server.shutdown()

    def _ekinerja(self, url):
        year, month = rules.previous_period(timezone.localdate())
        period = Period.objects.filter(year=year, month=month).first()
        if period:
            # Measure the write path: the period's records are written anew.
            MonthlyRecord.objects.filter(period=period).delete()
        client = EkinerjaClient(url, TOKEN)
        start = time.perf_counter()
        run = sync_ekinerja(client=client, year=year, month=month, triggered_by="bench")
        took = time.perf_counter() - start
        client.close()
        self.stdout.write(
            f"e-Kinerja sync {run.period_key} over loopback: {run.created} records created in {took:.1f} s "
            f"= {run.created / took:,.0f} records/s ({run.status})"
        )
        start = time.perf_counter()
        again = sync_ekinerja(client=EkinerjaClient(url, TOKEN), year=year, month=month, triggered_by="bench")
        took = time.perf_counter() - start
        self.stdout.write(f"  again, nothing changed: {again.unchanged} records checked in {took:.1f} s")

    def _siasn(self, url, kode):
        opd = Opd.objects.filter(kode=kode).first()
        if opd is None:
            return
        client = SiasnClient(apim_url=url, api_url=url, sso_url=url, concurrency=8, **SIASN_CREDENTIALS)
        start = time.perf_counter()
        run = sync_siasn(client=client, opd_kode=kode, triggered_by="bench")
        took = time.perf_counter() - start
        client.close()
        done = run.updated + run.unchanged
        self.stdout.write(
            f"SIASN per-NIP path ({kode}, 3 calls per ASN, 8 at a time): {done} ASN in {took:.1f} s "
            f"= {done / took:,.0f} ASN/s ({run.status})"
        )

    def _import(self, simulator, rows):
        year, month = rules.previous_period(timezone.localdate())
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "laporan-penilaian.xlsx"
            start = time.perf_counter()
            rows = self._write_export(simulator, year, month, rows, path)
            self.stdout.write(f"wrote a {rows:,}-row Laporan Penilaian in {time.perf_counter() - start:.0f} s")
            measured = run_command("import_bkn", str(path))
        self.stdout.write(
            f"import of {rows:,} rows: {measured.seconds:.1f} s, peak memory {measured.peak_mb:.0f} MB, "
            f"exit {measured.returncode}: {measured.output}"
        )

    def _write_export(self, simulator, year, month, rows, path):
        """A Laporan Penilaian as e-Kinerja exports it: title rows, then the header and `rows` rows."""
        rated = simulator.ratings(year, year * 100 + month) or []
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Laporan Penilaian SKP")
        sheet.append([f"LAPORAN PENILAIAN SKP PERIODIK TAHUN {year}"])
        sheet.append(["Instansi Pemerintah Kabupaten Kapuas"])
        month_name = next(name for name, number in MONTHS.items() if number == month).title()
        sheet.append([f"Periode: Bulanan - {month_name} {year}"])
        sheet.append([])
        header = list(rated[0].keys()) if rated else ["nip"]
        sheet.append(header)
        written = 0
        rated_nips = {r["nip"] for r in rated}
        for row in rated[:rows]:
            sheet.append([row[k] for k in header])
            written += 1
        # The rest of the population, unrated ('-'), as the export lists everyone with a plan.
        for person in simulator.data.asn:
            if written >= rows:
                break
            if person.nip in rated_nips:
                continue
            blank = dict.fromkeys(header, "-")
            blank.update(nip=person.nip, nama=person.nama, skp_unor_induk=simulator._opd_names[person.opd],
                         skp_unor=person.unit or "", is_skp_plt_plh_pjb=0)  # fmt: skip
            sheet.append([blank[k] for k in header])
            written += 1
        book.save(path)
        return written
