from pathlib import Path

from django.core.management.base import BaseCommand

from reports import recaps
from skp.management.options import scope_options, write_output


class Command(BaseCommand):
    help = "Write the monthly recap of one OPD (or, without --opd, of every OPD) as PDF or .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--opd", help="OPD code, e.g. DINKES (default: the regency recap)")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--as-of", help="ISO-8601 moment the data is read at (naive means WIB; default: now)")

    def handle(self, *args, **options):
        period, opd, as_of = scope_options(options)
        kind = options["format"]
        if opd is None:
            data = getattr(recaps, f"regency_recap_{kind}")(period=period, as_of=as_of)
        else:
            data = getattr(recaps, f"opd_recap_{kind}")(period=period, opd=opd, as_of=as_of)
        write_output(Path(options["output"]), data)
        self.stdout.write(f"{options['output']}: {len(data):,} bytes")
