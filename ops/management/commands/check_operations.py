from django.core.management.base import BaseCommand

from ops.services import check_operations


class Command(BaseCommand):
    help = (
        "Check syncs, imports, beat and the outbox as the periodic job does: mark abandoned sync runs, "
        "email BKPSDM's admins once per trouble. For cron where Celery beat does not run (or as a watch "
        "on beat itself). Exit 0 when all is well, 1 when something is wrong."
    )

    def handle(self, *args, **options):
        result = check_operations()
        if result.abandoned:
            self.stdout.write(f"{result.abandoned} sync runs marked abandoned")
        for problem in result.health.problems:
            self.stdout.write(f"{problem.title}. {problem.detail}")
        self.stdout.write(f"{len(result.queued)} alerts queued" if result.health.problems else "all well")
        if result.health.problems:
            raise SystemExit(1)
