import csv
import json

from django.core.management.base import BaseCommand

from kapuas_kinerja.tabular import safe_cell
from opd.access import Scope
from skp.management.options import as_of_option, opd_option, period_option
from skp.selectors import compliance_report

COLUMNS = ["nip", "nama", "opd", "unor", "is_guru", "stage", "status", "rated_at", "predikat", "must_act"]


class Command(BaseCommand):
    help = "Print the status of every ASN for a period (the whole population, stored record or not)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--opd", help="OPD code, e.g. DINKES (default: the whole regency)")
        parser.add_argument("--as-of", help="ISO-8601 moment to judge at (naive means WIB; default: now)")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")

    def handle(self, *args, **options):
        period = period_option(options["period"])
        as_of = as_of_option(options["as_of"])
        opd = opd_option(options["opd"])
        opd_id = opd.pk if opd else None

        report = compliance_report(period=period, as_of=as_of, scope=Scope(role="cli", all_opd=True), opd_id=opd_id)
        getattr(self, f"write_{options['format']}")(report)

    def write_json(self, report):
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

    def write_csv(self, report):
        writer = csv.DictWriter(
            self.stdout, fieldnames=["opd_nama", *COLUMNS, "atasan_nip", "deadline"], extrasaction="ignore"
        )
        writer.writeheader()
        # A name like "=HYPERLINK(…)" stays text in a spreadsheet, as in the .xlsx exports.
        writer.writerows(
            {key: safe_cell(value) if isinstance(value, str) else value for key, value in row.items()}
            for row in report["rows"]
        )

    def write_table(self, report):
        self.stdout.write(f"Period {report['period']}  deadline {report['deadline']}  as of {report['as_of']}")
        rows = [[str(row[c] if row[c] is not None else "-") for c in COLUMNS] for row in report["rows"]]
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(COLUMNS)]
        self.stdout.write("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
        for row in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        summary = " ".join(f"{status}={count}" for status, count in report["summary"].items())
        self.stdout.write(f"{len(rows)} ASN: {summary}")
