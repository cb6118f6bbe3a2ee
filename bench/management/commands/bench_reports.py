"""make bench: the monthly recap of the largest OPD as PDF and .xlsx, each built by `report` in its own process."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from kapuas_kinerja.measure import run_command
from opd.models import Asn, Opd
from skp import rules


class Command(BaseCommand):
    help = "Benchmark the largest OPD's monthly recap: time and peak memory of the PDF and the .xlsx."

    def handle(self, *args, **options):
        year, month = rules.previous_period(timezone.localdate())
        period = rules.period_key(year, month)
        largest = Asn.objects.filter(is_active=True).values("opd").annotate(n=Count("pk")).order_by("-n").first()
        opd = Opd.objects.get(pk=largest["opd"])
        self.stdout.write(
            f"\nMonthly recap of {opd.kode} ({largest['n']:,} ASN), period {period}, each in its own process"
        )
        self.stdout.write(f"{'document':<10} {'time':>8} {'peak memory':>12} {'size':>10}")
        with tempfile.TemporaryDirectory() as folder:
            for kind in ("pdf", "xlsx"):
                path = Path(folder) / f"rekap.{kind}"
                measured = run_command(
                    "report", "--period", period, "--opd", opd.kode, "--format", kind, "--output", str(path)
                )
                size = path.stat().st_size if path.exists() else 0
                self.stdout.write(
                    f"{kind:<10} {measured.seconds:>7.1f}s {measured.peak_mb:>9.0f} MB {size / 1024:>7.0f} kB"
                    + ("" if measured.returncode == 0 else f"  exit {measured.returncode}: {measured.output}")
                )
