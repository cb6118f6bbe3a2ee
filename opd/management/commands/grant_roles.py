from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kapuas_kinerja.tabular import FileRefused, decode_utf8
from opd.services import grant_roles_from_csv, invite_users


class Command(BaseCommand):
    help = (
        "Give many ASN their role at once from a CSV file with the columns nip, role and opd "
        "(heads and operators of each OPD); each new login is emailed a link to set its own password."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (comma or semicolon separated)")

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}", returncode=2)
        if path.stat().st_size > settings.IMPORT_MAX_BYTES:
            raise CommandError(
                f"{path} is larger than IMPORT_MAX_BYTES ({settings.IMPORT_MAX_BYTES} bytes)", returncode=1
            )
        try:
            granted = grant_roles_from_csv(text=decode_utf8(path.read_bytes()))
        except FileRefused as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError("the file was refused; nothing was changed", returncode=1) from None
        invited = invite_users([user for user, _created in granted])
        created = sum(1 for _user, was_created in granted if was_created)
        self.stdout.write(f"{len(granted)} roles given ({created} new logins); {invited} invitations sent.")
