"""Login lockout by NIP and by address with different limits, on django-axes' database handler."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """5 failures lock a NIP (from any address), 20 lock an address.

    Axes compares one count with one limit (AXES_FAILURE_LIMIT, 20 here), so a
    failure on a NIP counts 20 / 5 = 4 times: the NIP reaches 20 after 5.
    """

    def get_failures(self, request, credentials=None) -> int:
        attempts = self.get_user_attempts(request, credentials)
        if len(attempts) != 2:  # no username to go by: axes' own count
            return super().get_failures(request, credentials)
        by_nip, by_address = attempts
        weight = settings.AXES_FAILURE_LIMIT // settings.AXES_NIP_FAILURE_LIMIT

        def failures(attempts) -> int:
            return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

        return max(failures(by_nip) * weight, failures(by_address))
