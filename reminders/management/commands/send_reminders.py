from django.core.management.base import BaseCommand

from reminders.services import send_reminders
from skp.management.options import as_of_option


class Command(BaseCommand):
    help = (
        "Send the reminders, digests and escalations that are due (what the scheduler runs). "
        "A second run at the same moment sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ISO-8601 moment to run at (naive means WIB; default: now)")
        parser.add_argument("--dry-run", action="store_true", help="print who would get what; write and send nothing")

    def handle(self, *args, **options):
        run = send_reminders(as_of=as_of_option(options["as_of"]), dry_run=options["dry_run"])
        if not run.occasions:
            self.stdout.write("Nothing is due that has not gone out already.")
        for occasion in run.occasions:
            messages = run.prepared[occasion.key]
            self.stdout.write(f"{occasion.key}: {len(messages)} message(s)")
            if options["dry_run"]:
                for message in messages:
                    self.stdout.write(f"  {message.channel:8} {message.address:40} {message.subject}")
        if run.sent is not None:
            sent = run.sent
            self.stdout.write(
                f"Outbox: {sent.sent} sent, {sent.retrying} to retry, {sent.failed} failed, "
                f"{sent.cancelled} cancelled (rated or exempted meanwhile), {sent.uncertain} newly uncertain, "
                f"{sent.too_late} dropped (could not go before their deadline within the quotas)."
            )
            for channel, held in sent.held.items():
                self.stdout.write(f"  {channel}: {held} held by the quotas for the next window (sent every minute).")
            if sent.failed:
                for error in sent.errors[:20]:
                    self.stderr.write(f"  {error}")
