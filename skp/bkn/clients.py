"""Which BKN the sync talks to: the configured one, the simulator when asked for, or none.

DESIGN.md: the simulator is never a silent fallback. It answers only where
BKN_SIMULATOR=1 asks for it (make run, the tests that want it); seed_demo
builds its own and feeds it through the sync code whatever this setting says.
With neither BKN configured nor the simulator asked for, the installation takes
its data from imports alone: a sync fails at once with what to set, and the
scheduled sync records "not configured" without alerting anyone.
"""

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SyncRun
from .ekinerja import EkinerjaClient

EKINERJA_SETTINGS = ("EKINERJA_BASE_URL", "EKINERJA_TOKEN")
SIASN_SETTINGS = (
    "SIASN_APIM_URL",
    "SIASN_API_URL",
    "SIASN_SSO_URL",
    "SIASN_CONSUMER_KEY",
    "SIASN_CONSUMER_SECRET",
    "SIASN_CLIENT_ID",
    "SIASN_USERNAME",
    "SIASN_PASSWORD",
)
SETTINGS = {"ekinerja": EKINERJA_SETTINGS, "siasn": SIASN_SETTINGS}
NAMES = {"ekinerja": "e-Kinerja", "siasn": "SIASN"}


class NotConfigured(Exception):
    """The source has neither its settings nor the simulator asked for; the message says what to set."""

    def __init__(self, source: str, missing: list[str]):
        self.source, self.missing = source, missing
        super().__init__(
            _(
                "%(name)s is not configured: set %(missing)s (or BKN_SIMULATOR=1 to sync from the demo simulator). "
                "Until then the portal takes its data from imports (import_bkn, or the admin panel)."
            )
            % {"name": NAMES[source], "missing": ", ".join(missing)}
        )


def missing_settings(source: str) -> list[str]:
    """The settings of `source` ("ekinerja" or "siasn") that are still empty."""
    return [name for name in SETTINGS[source] if not getattr(settings, name, "")]


def simulator_asked() -> bool:
    """BKN_SIMULATOR=1, refused next to a real BKN (settings.py refuses it at start-up too)."""
    if not settings.BKN_SIMULATOR:
        return False
    real = [name for source in SETTINGS for name in SETTINGS[source] if getattr(settings, name, "")]
    if real:
        raise ImproperlyConfigured(f"BKN_SIMULATOR=1 next to a real BKN ({', '.join(real)}): unset one of them")
    return True


def require(source: str) -> None:
    """Raise NotConfigured unless `source` can be synced (configured, or the simulator asked for)."""
    if simulator_asked():
        return
    missing = missing_settings(source)
    if missing:
        raise NotConfigured(source, missing)


def _simulator():
    from .simulator import Simulator

    return Simulator(asn_count=settings.BKN_SIMULATOR_ASN, seed=settings.BKN_SIMULATOR_SEED)


def ekinerja_client(**retry) -> EkinerjaClient:
    """The configured e-Kinerja, or the simulator in-process when BKN_SIMULATOR=1; else NotConfigured."""
    require("ekinerja")
    if simulator_asked():
        from .simulator import TOKEN

        return EkinerjaClient("http://bkn-simulator", TOKEN, transport=httpx.WSGITransport(app=_simulator()), **retry)
    return EkinerjaClient(settings.EKINERJA_BASE_URL, settings.EKINERJA_TOKEN, **retry)


def siasn_client(**options):
    """The configured SIASN, or the simulator in-process when BKN_SIMULATOR=1; else NotConfigured."""
    from .siasn import SiasnClient

    require("siasn")
    if simulator_asked():
        from .simulator import SIASN_CREDENTIALS

        return SiasnClient(
            apim_url="http://bkn-simulator",
            api_url="http://bkn-simulator",
            sso_url="http://bkn-simulator",
            transport=httpx.WSGITransport(app=_simulator()),
            **SIASN_CREDENTIALS,
            **options,
        )
    return SiasnClient(
        apim_url=settings.SIASN_APIM_URL,
        api_url=settings.SIASN_API_URL,
        sso_url=settings.SIASN_SSO_URL,
        consumer_key=settings.SIASN_CONSUMER_KEY,
        consumer_secret=settings.SIASN_CONSUMER_SECRET,
        client_id=settings.SIASN_CLIENT_ID,
        username=settings.SIASN_USERNAME,
        password=settings.SIASN_PASSWORD,
        **options,
    )


def record_not_configured(*, source: str, error: NotConfigured, triggered_by: str) -> SyncRun:
    """The scheduled sync of an import-only installation: recorded as "not configured", nobody alerted.

    One row per source while it stays so (its finish time renewed on each
    scheduled run), so the sync history is not buried under hourly repeats.
    """
    now = timezone.now()
    latest = SyncRun.objects.filter(source=source).order_by("-started_at", "-pk").first()
    if latest is not None and latest.status == SyncRun.Status.NOT_CONFIGURED:
        SyncRun.objects.filter(pk=latest.pk).update(finished_at=now, message=str(error), triggered_by=triggered_by)
        latest.refresh_from_db()
        return latest
    return SyncRun.objects.create(
        source=source,
        period_key="",
        triggered_by=triggered_by,
        status=SyncRun.Status.NOT_CONFIGURED,
        finished_at=now,
        message=str(error),
    )
