import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opd.models import Opd
from skp import rules
from skp.bkn.sync import sync_period
from skp.models import SyncRun


class Command(BaseCommand):
    help = (
        "Sync one period from e-Kinerja (the simulator when EKINERJA_BASE_URL is unset). "
        "Exit 0 when it succeeded, 1 when it failed or partly failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="YYYY-MM (default: the period being chased, last month)")
        parser.add_argument("--opd", help="only this OPD (code)")
        # SIASN (master data, annual SKP, the unit tree) follows in a later change.
        parser.add_argument("--source", choices=["ekinerja"], default="ekinerja")

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

        def progress(done, total):
            if self.stderr.isatty():
                self.stderr.write(f"\r  ratings written: {done}/{total}", ending="")
            elif done == total:
                self.stderr.write(f"  ratings written: {done}/{total}")

        run = sync_period(year=year, month=month, opd_kode=options["opd"], triggered_by="sync_bkn", progress=progress)
        if run is None:
            self.stderr.write(f"Another sync of {rules.period_key(year, month)} is running; try again when it ends.")
            sys.exit(1)
        if self.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(
            f"e-Kinerja {run.period_key}: {run.status}: created {run.created}, updated {run.updated}, "
            f"unchanged {run.unchanged}, failed {run.failed}."
        )
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
        for error in run.errors[:20]:
            self.stdout.write(f"  error: {error}")
        if run.message:
            self.stderr.write(run.message)
        if run.status != SyncRun.Status.SUCCEEDED:
            sys.exit(1)
