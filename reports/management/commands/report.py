import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opd.models import Opd
from reports import recaps
from skp import rules
from skp.selectors import period_for


class Command(BaseCommand):
    help = "Write the monthly recap of one OPD (or, without --opd, of every OPD) as PDF or .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--opd", help="OPD code, e.g. DINKES (default: the regency recap)")
        parser.add_argument("--format", choices=["pdf", "xlsx"], required=True)
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--as-of", help="ISO-8601 moment the data is read at (naive means WIB; default: now)")

    def handle(self, *args, **options):
        period, opd, as_of = parse_common(options)
        kind = options["format"]
        if opd is None:
            data = getattr(recaps, f"regency_recap_{kind}")(period=period, as_of=as_of)
        else:
            data = getattr(recaps, f"opd_recap_{kind}")(period=period, opd=opd, as_of=as_of)
        write(Path(options["output"]), data)
        self.stdout.write(f"{options['output']}: {len(data):,} bytes")


def parse_common(options):
    """Period, OPD and moment from the options shared by `report` and `tpp`; exit 2 when wrong."""
    try:
        year, month = rules.parse_period(options["period"])
    except rules.RuleError:
        raise CommandError(f"period {options['period']!r} must be YYYY-MM", returncode=2) from None
    opd = None
    if options.get("opd"):
        opd = Opd.objects.filter(kode=options["opd"].upper()).select_related("head").first()
        if opd is None:
            raise CommandError(f"unknown OPD {options['opd']!r}", returncode=2)
    as_of = timezone.now()
    if options.get("as_of"):
        try:
            as_of = rules.aware(dt.datetime.fromisoformat(options["as_of"]))
        except ValueError:
            raise CommandError(f"--as-of {options['as_of']!r} is not ISO-8601", returncode=2) from None
    return period_for(year, month), opd, as_of


def write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise CommandError(f"folder {path.parent} does not exist", returncode=2)
    # Written beside the target and renamed, so a reader never sees half a file.
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
