import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opd.models import Opd
from reports import recaps
from skp.management.options import scope_options, write_output
from tpp.selectors import basis_for


class Command(BaseCommand):
    help = (
        "The TPP basis of each ASN for a period: status, predikat, share paid and why. "
        "A finalised basis is given as it was frozen; otherwise as the data stands (a draft)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--opd", help="OPD code (default: every OPD; JSON only)")
        parser.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        parser.add_argument("--output", help="file to write (JSON without it goes to standard output)")
        parser.add_argument("--as-of", help="ISO-8601 moment for a draft basis (default: now)")

    def handle(self, *args, **options):
        period, opd, as_of = scope_options(options)
        kind, output = options["format"], options["output"]
        if kind != "json" and not output:
            raise CommandError(f"--format {kind} needs --output", returncode=2)
        if kind != "json" and opd is None:
            raise CommandError(f"--format {kind} is one OPD's document: give --opd", returncode=2)
        opds = [opd] if opd else list(Opd.objects.filter(is_active=True).select_related("head").order_by("kode"))
        bases = [basis_for(period=period, opd=o, as_of=as_of) for o in opds]
        if kind == "json":
            payload = (
                recaps.tpp_json(bases[0]) if opd else {"period": period.key, "opd": [recaps.tpp_json(b) for b in bases]}
            )
            text = json.dumps(payload, ensure_ascii=False, indent=2)
            if output:
                write_output(Path(output), text.encode())
            else:
                sys.stdout.write(text + "\n")
            return
        data = recaps.tpp_pdf(bases[0]) if kind == "pdf" else recaps.tpp_xlsx(bases[0])
        write_output(Path(output), data)
        self.stdout.write(f"{output}: {len(data):,} bytes")
