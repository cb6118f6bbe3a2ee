import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opd.access import request_scope

from . import selectors


def _presented_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-Health-Token")


def _iso(moment):
    return timezone.localtime(moment).isoformat() if moment else None


def _run(run):
    return (
        {"status": run.status, "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at)}
        if run
        else None
    )


@require_GET
def health(request):
    """The container's check and a load balancer: the app answers and reaches its database ("ok").

    With HEALTH_TOKEN as a bearer token, the IT office's monitor gets the detail
    as JSON, answered 503 while something is wrong so a plain monitor alerts on
    the status alone.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    token = _presented_token(request)
    if token is None:
        return HttpResponse("ok", content_type="text/plain")
    if not settings.HEALTH_TOKEN:
        return HttpResponse("HEALTH_TOKEN is not set on the server", status=401, content_type="text/plain")
    if not hmac.compare_digest(token.encode(), settings.HEALTH_TOKEN.encode()):
        return HttpResponse("wrong health token", status=401, content_type="text/plain")
    state = selectors.health()
    outbox = state.outbox
    body = {
        "status": "ok" if state.ok else "alert",
        "checked_at": _iso(state.checked_at),
        "sync": {
            s.source: {
                "last_success": _run(s.last_success),
                "last_run": _run(s.last_run),
                "failures_since_success": s.failures,
            }
            for s in state.sources
        },
        "last_import": _run(state.last_import),
        "data_at": _iso(state.data_at),
        "data_stale": state.data_stale,
        "beat": {"last_tick": _iso(state.beat_at), "silent": state.beat_silent},
        "outbox": {
            "waiting": outbox.waiting,
            "oldest_waiting_at": _iso(outbox.oldest_waiting_at),
            "attempted_last_hour": outbox.attempted_last_hour,
            "failed_last_hour": outbox.failed_last_hour,
            "failure_rate_last_hour": outbox.failure_rate,
            "failing_since": _iso(outbox.failing_since),
        },
        "problems": [{"code": p.code, "title": p.title, "since": _iso(p.since)} for p in state.problems],
    }
    response = JsonResponse(body, status=200 if state.ok else 503)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def operations(request):
    """BKPSDM's view of the portal's own health: syncs, imports, beat and the outbox."""
    if not request_scope(request).is_bkpsdm:
        raise PermissionDenied
    state = selectors.health()
    return render(
        request,
        "ops/health.html",
        {
            "health": state,
            "stale_hours": settings.SYNC_STALE_AFTER_HOURS,
            "beat_minutes": settings.BEAT_SILENT_AFTER_MINUTES,
        },
    )
