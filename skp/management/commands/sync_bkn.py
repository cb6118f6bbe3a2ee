import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opd.models import Opd
from skp import rules
from skp.bkn import clients
from skp.bkn.sync import sync_master_data, sync_period
from skp.models import SyncRun


class Command(BaseCommand):
    help = (
        "Sync from BKN: e-Kinerja's period, plans and ratings, SIASN's master data and annual SKP, or both. "
        "Needs EKINERJA_BASE_URL/EKINERJA_TOKEN and the SIASN_* settings, or BKN_SIMULATOR=1 for the demo "
        "simulator. Exit 0 when it succeeded, 1 when it failed, partly failed or nothing is configured."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM for e-Kinerja (default: the period being chased, last month)")
        parser.add_argument("--opd", help="only this OPD (code)")
        parser.add_argument("--source", choices=["ekinerja", "siasn", "all"], default="all")

    def handle(self, *args, **options):
        if options["period"]:
            try:
                year, month = rules.parse_period(options["period"])
            except rules.RuleError:
                raise CommandError(f"period {options['period']!r} must be YYYY-MM", returncode=2) from None
        else:
            year, month = rules.previous_period(timezone.localdate())
        if options["opd"] and not Opd.objects.filter(kode=options["opd"].upper()).exists():
            raise CommandError(f"unknown OPD {options['opd']!r}", returncode=2)
        sources = ["ekinerja", "siasn"] if options["source"] == "all" else [options["source"]]
        problems = []
        for source in sources:
            try:
                clients.require(source)
            except clients.NotConfigured as error:
                problems.append(str(error))
        if problems:
            # An import-only installation: say what to set, write nothing (not even a sync run).
            for problem in problems:
                self.stderr.write(problem)
            if options["source"] == "all" and len(problems) < len(sources):
                self.stderr.write("Or sync only the configured source with --source.")
            sys.exit(1)

        def progress(label):
            def report(done, total):
                if self.stderr.isatty():
                    self.stderr.write(f"\r  {label}: {done}/{total}", ending="" if done < total else "\n")
                elif done == total:
                    self.stderr.write(f"  {label}: {done}/{total}")

            return report

        ok = True
        if options["source"] in ("ekinerja", "all"):
            run = sync_period(
                year=year,
                month=month,
                opd_kode=options["opd"],
                triggered_by="sync_bkn",
                progress=progress("e-Kinerja ratings written"),
            )
            ok &= self.report(run, f"e-Kinerja {rules.period_key(year, month)}")
        if options["source"] in ("siasn", "all"):
            run = sync_master_data(
                opd_kode=options["opd"], triggered_by="sync_bkn", progress=progress("SIASN ASN done")
            )
            ok &= self.report(run, "SIASN")
        if not ok:
            sys.exit(1)

    def report(self, run, label) -> bool:
        if run is None:
            self.stderr.write(f"{label}: another sync of this scope is running; try again when it ends.")
            return False
        self.stdout.write(
            f"{label}: {run.status}: created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
            f"failed {run.failed}."
        )
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
        for error in run.errors[:20]:
            self.stdout.write(f"  error: {error}")
        if run.message:
            self.stderr.write(run.message)
        return run.status == SyncRun.Status.SUCCEEDED
