from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from opd.models import User
from opd.services import RoleError, grant_role


class Command(BaseCommand):
    help = "Give an existing ASN a login and a role (how an installation gets its first admin)."

    def add_arguments(self, parser):
        parser.add_argument("--nip", required=True, help="the ASN's 18-digit NIP")
        parser.add_argument("--role", required=True, choices=[r.value for r in User.Role])
        parser.add_argument("--opd", help="OPD code, required for kepala_opd and operator_opd")
        parser.add_argument("--password", help="set this password (default: keep the current one)")

    def handle(self, *args, **options):
        try:
            user, created = grant_role(
                nip=options["nip"], role=options["role"], opd_kode=options["opd"], password=options["password"]
            )
        except (RoleError, ValidationError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message, returncode=2) from None
        verb = "Created" if created else "Updated"
        where = f" for {user.opd.kode}" if user.opd else ""
        self.stdout.write(f"{verb} login {user.username}: role {user.role}{where}.")
        if not user.has_usable_password():
            self.stdout.write("No password yet: run again with --password to set one.")
