"""Keeping personal data no longer than needed (UU 27/2022): raw BKN payloads are pruned after a while."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import RecordPayload


def prune_payloads(*, older_than_days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete raw payloads not refreshed for `older_than_days` (PAYLOAD_RETENTION_DAYS). Records stay."""
    days = settings.PAYLOAD_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _by_model = RecordPayload.objects.filter(received_at__lt=cutoff).delete()
    return deleted
