import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from skp.demo import DemoSyncFailed, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo regency: the 46 OPD, about 8,000 ASN with their units, plans and 12 months of periodic "
        "evaluations made up as BKN would send them and brought in through the sync code (appraisers and "
        "stages come from there), exemptions, and one login per role. Deterministic for a seed; running it "
        "twice changes nothing. Needs no BKN and no BKN_SIMULATOR: it serves itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("--asn", type=int, default=8000, help="about how many ASN (default 8000)")
        parser.add_argument(
            "--year", type=int, help="seed the 12 months of this year (default: the 12 months up to last month)"
        )
        parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")

    def handle(self, *args, **options):
        if options["asn"] < 50:
            raise CommandError("--asn must be at least 50", returncode=2)
        if options["year"] is not None and not 2020 <= options["year"] <= timezone.now().year:
            raise CommandError("--year must be between 2020 and this year", returncode=2)
        try:
            result = seed_demo(
                asn_count=options["asn"],
                seed=options["seed"],
                year=options["year"],
                now=timezone.now(),
                progress=lambda text: self.stderr.write(f"  {text}"),
            )
        except DemoSyncFailed as error:
            self.stderr.write(f"The demo's sync failed, nothing was kept: {error}")
            sys.exit(1)
        created = ", ".join(f"{name} {count}" for name, count in result.created.items())
        self.stdout.write(f"Demo data: created {created}.")
        self.stdout.write("Demo logins (NIP or username / password):")
        for label, username, password in result.logins:
            self.stdout.write(f"  {label:<45} {username:<20} {password}")
