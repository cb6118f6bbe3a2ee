"""Parts of the OPD dashboard, rendered once per data version and reused.

Building Disdik's dashboard (thousands of ASN: the list's count, fifty rows,
the trend and the units) takes tens of milliseconds, and on the 14th a hundred
school heads and operators open the same page. What every viewer of an OPD's
dashboard sees alike is rendered once and kept in the cache, under a key made
of the OPD's data version and of everything else the parts depend on:

- the data: `Opd.data_version` gets a new random value in the same transaction
  as every change a dashboard shows (opd.services.opd_data_changed), so a
  reader meets the new version only together with the new data;
- the clock: whether each deadline has passed (pending becomes overdue without
  a write), and the day;
- the address: the filters, sort and page asked for;
- the viewer: only whether they may send reminders. Their menu, CSRF tokens
  and messages stay out of the parts.

A text search is not cached (too many keys for one use). The timeout bounds
the harm of a write path that forgot to renew the version. If the cache is
down, the parts are built every time, as they were before.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

# Query parameters the parts depend on; anything else is not cached.
LIST_PARAMETERS = {"periode", "status", "guru", "jenis", "unit", "urut", "halaman"}


def dashboard_key(request, *, opd, period, chased, now, can_nudge: bool) -> str | None:
    """The key of an OPD dashboard's parts for this request, or None when they are not cached."""
    if not settings.DASHBOARD_CACHE_SECONDS:
        return None
    query = sorted((name, values) for name, values in request.GET.lists())
    if any(name not in LIST_PARAMETERS or len(values) != 1 or len(values[0]) > 20 for name, values in query):
        return None
    parts = [
        "opd-dashboard",
        opd.pk,
        opd.data_version,
        period.key,
        now > period.deadline,
        chased.key,
        now > chased.deadline,
        timezone.localdate(now).isoformat(),
        can_nudge,
        request.path,
        repr(query),
    ]
    return "kinerja:parts:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_parts(key: str | None, build) -> dict:
    """The parts stored under `key`, or `build()` (stored for next time)."""
    if key is None:
        return build()
    try:
        parts = cache.get(key)
    except Exception:  # the cache is down: build, as without one
        logger.warning("dashboard cache unavailable", exc_info=True)
        return build()
    if parts is None:
        parts = build()
        try:
            cache.set(key, parts, settings.DASHBOARD_CACHE_SECONDS)
        except Exception:
            logger.warning("dashboard cache unavailable", exc_info=True)
    return parts
