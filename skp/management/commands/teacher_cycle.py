from django.core.management.base import BaseCommand, CommandError

from skp import rules
from skp.cycles import check_year, set_teacher_cycle
from skp.models import TeacherCycle


class Command(BaseCommand):
    help = "Set the teachers' reporting cycle of a year (DESIGN.md: the same setting as in the admin panel)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="YYYY")
        # Checked in handle (not argparse choices) so a bad cycle exits 2 with the same message style as a bad year.
        parser.add_argument("--cycle", help="|".join(rules.CYCLES) + " (default: print the year's cycle)")
        parser.add_argument("--note", default="", help="why (kept with the setting)")

    def handle(self, *args, **options):
        try:
            if options["cycle"] is None:
                year = check_year(options["year"])
                self.stdout.write(f"{year}: {TeacherCycle.cycle_of(year)}")
                return
            setting = set_teacher_cycle(year=options["year"], cycle=options["cycle"], note=options["note"])
        except rules.RuleError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(f"{setting.year}: {setting.cycle}")
