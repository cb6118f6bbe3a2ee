import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opd.access import Scope
from opd.models import Opd
from skp import rules
from skp.selectors import compliance_report, period_for

COLUMNS = ["nip", "nama", "opd", "unor", "is_guru", "stage", "status", "rated_at", "predikat", "must_act"]


class Command(BaseCommand):
    help = "Print the status of every ASN for a period (the whole population, stored record or not)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--opd", help="OPD code, e.g. DINKES (default: the whole regency)")
        parser.add_argument("--as-of", help="ISO-8601 moment to judge at (naive means WIB; default: now)")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, **options):
        try:
            year, month = rules.parse_period(options["period"])
        except rules.RuleError:
            raise CommandError(f"period {options['period']!r} must be YYYY-MM", returncode=2) from None
        as_of = timezone.now()
        if options["as_of"]:
            try:
                as_of = rules.aware(dt.datetime.fromisoformat(options["as_of"]))
            except ValueError:
                raise CommandError(f"--as-of {options['as_of']!r} is not ISO-8601", returncode=2) from None
        opd_id = None
        if options["opd"]:
            opd = Opd.objects.filter(kode=options["opd"].upper()).first()
            if opd is None:
                raise CommandError(f"unknown OPD {options['opd']!r}", returncode=2)
            opd_id = opd.pk

        report = compliance_report(
            period=period_for(year, month), as_of=as_of, scope=Scope(role="cli", all_opd=True), opd_id=opd_id
        )
        getattr(self, f"write_{options['format']}")(report)

    def write_json(self, report):
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def write_csv(self, report):
        writer = csv.DictWriter(self.stdout, fieldnames=["opd_nama", *COLUMNS], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(report["rows"])

    def write_table(self, report):
        self.stdout.write(f"Period {report['period']}  deadline {report['deadline']}  as of {report['as_of']}")
        rows = [[str(row[c] if row[c] is not None else "-") for c in COLUMNS] for row in report["rows"]]
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(COLUMNS)]
        self.stdout.write("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
        for row in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        summary = " ".join(f"{status}={count}" for status, count in report["summary"].items())
        self.stdout.write(f"{len(rows)} ASN: {summary}")
