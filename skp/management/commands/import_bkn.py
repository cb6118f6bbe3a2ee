import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from skp import rules
from skp.bkn.columns import LABELS
from skp.bkn.imports import ImportRefused, import_file


class Command(BaseCommand):
    help = (
        "Import a BKN export (Laporan Penilaian SKP, Laporan SKP, SIASN Export Data ASN; .xlsx or .csv), "
        "all or nothing. Exit 0 when imported or nothing changed, 1 when the file is refused, 2 for bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx or .csv file")
        parser.add_argument(
            "--period",
            help="YYYY-MM, or a teachers' cycle period YYYY-Q1..Q4, YYYY-S1/S2, YYYY: "
            "required for a Laporan Penilaian whose title names no period",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        period = None
        if options["period"]:
            try:
                period = rules.parse_cycle_period(options["period"])
            except rules.RuleError:
                raise CommandError(
                    f"period {options['period']!r} must be YYYY-MM, YYYY-Q1..Q4, YYYY-S1/S2 or YYYY", returncode=2
                ) from None
        try:
            result = import_file(path, period=period, dry_run=options["dry_run"], triggered_by="import_bkn")
        except ImportRefused as refused:
            self.stderr.write(f"{path.name} refused, nothing was imported:")
            for problem in refused.problems:
                self.stderr.write(f"  {problem}")
            sys.exit(1)
        run = result.run
        verb = "would import" if result.dry_run else "imported"
        self.stdout.write(
            f"{LABELS[result.kind]} {result.period_key}: {verb}: created {run.created}, updated {run.updated}, "
            f"unchanged {run.unchanged}."
        )
        for note in result.notes:
            self.stdout.write(f"  note: {note}")
