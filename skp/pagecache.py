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
- the address: the filters, sort and page asked for (the list and its form
  only: the summary, trend and units are one part per period, so a new
  filter builds the list alone);
- the viewer: only whether they may send reminders (the list's and the
  appraisers' buttons). Their menu, CSRF tokens
  and messages stay out of the parts.

A text search's list and form are not cached (too many keys for one use). The timeout bounds
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


def dashboard_keys(request, *, opd, period, chased, now, can_nudge: bool) -> dict[str, str | None]:
    """The keys of an OPD dashboard's parts for this request (None: that part is not cached).

    "page" (summary, trend, units) depends on the period alone; "appraisers"
    (the ranking, with its buttons) also on whether the viewer may remind;
    "filters" on the address; "list" on both.
    """
    base = [
        opd.pk,
        opd.data_version,
        period.key,
        now > period.deadline,
        chased.key,
        now > chased.deadline,
        timezone.localdate(now).isoformat(),
    ]
    keys: dict[str, str | None] = dict.fromkeys(("page", "appraisers", "filters", "list"))
    if not settings.DASHBOARD_CACHE_SECONDS:
        return keys
    keys["page"] = _key("page", *base)
    keys["appraisers"] = _key("appraisers", *base, can_nudge)
    query = sorted((name, values) for name, values in request.GET.lists())
    # The filter form always sends its search box, empty or not: an empty one is a list like any other.
    if all(
        (name in LIST_PARAMETERS or (name == "q" and values == [""])) and len(values) == 1 and len(values[0]) <= 20
        for name, values in query
    ):
        keys["filters"] = _key("filters", *base, request.path, query)
        keys["list"] = _key("list", *base, request.path, query, can_nudge)
    return keys


def _key(*parts) -> str:
    return "kinerja:opd-dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_parts(keys: dict[str, str | None], build) -> dict:
    """The parts named in `keys`: read from the cache where stored, else `build(names)` (stored for next time)."""
    stored = {name: key for name, key in keys.items() if key}
    try:
        found = cache.get_many(stored.values()) if stored else {}
    except Exception:  # the cache is down: build, as without one
        logger.warning("dashboard cache unavailable", exc_info=True)
        found = {}
    parts = {name: found[key] for name, key in stored.items() if key in found}
    missing = set(keys) - set(parts)
    if missing:
        built = build(missing)
        parts.update(built)
        try:
            cache.set_many(
                {stored[name]: built[name] for name in missing if name in stored}, settings.DASHBOARD_CACHE_SECONDS
            )
        except Exception:
            logger.warning("dashboard cache unavailable", exc_info=True)
    return parts
