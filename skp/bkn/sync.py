"""The sync from e-Kinerja: one service for the command, the Celery task and the demo.

Idempotent (a second run changes nothing), chunked (an interrupted run keeps
what it finished; the next one completes the rest), and it never replaces a
rating by "no data" or by an unrated row. The writers live in records.py
(population, records), appraisers.py (who appraises whom) and siasn_sync.py
(SIASN); their names stay importable from here, beside the locked entry
points of both sources (`sync_period`, `sync_master_data`).
"""

from collections.abc import Callable
from functools import partial

from auditlog.context import disable_auditlog
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opd.models import Asn, Opd
from opd.services import data_changes_batched

from .. import rules
from ..models import Period, Source, SyncRun, TeacherCycle
from ..rollup import refresh_rollup
from .clients import ekinerja_client, siasn_client  # which BKN to ask: clients.py
from .ekinerja import EkinerjaClient, RowError, parse_cycle_period, parse_period
from .http import BknError, TokenRefused
from .places import Places
from .records import (
    CHUNK,
    RECORD_FIELDS,
    collect_plans,
    collect_ratings,
    refresh_rollup_for_run,
    write_population,
    write_ratings,
)
from .records import jsonable as _jsonable
from .records import upsert as _upsert
from .siasn_sync import fill_from_unit_heads, sync_siasn, write_master_data

# The writers live in records.py and siasn_sync.py; their names stay importable from here.
__all__ = [
    "CHUNK",
    "RECORD_FIELDS",
    "Places",
    "_jsonable",
    "_upsert",
    "collect_plans",
    "collect_ratings",
    "ekinerja_client",
    "siasn_client",
    "sync_ekinerja",
    "sync_master_data",
    "sync_period",
    "sync_siasn",
    "write_master_data",
    "write_population",
    "write_ratings",
]


@data_changes_batched()
# A sync or import is recorded as its SyncRun; the rows it creates one by one are no one's
# hand edit, so they write no audit entries (thousands of them on a first sync).
@disable_auditlog()
def sync_ekinerja(
    *,
    client: EkinerjaClient,
    year: int,
    month: int,
    opd_kode: str | None = None,
    triggered_by: str,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = CHUNK,
) -> SyncRun:
    """Mirror one period from e-Kinerja: the periods, the year's SKP plans and the Laporan Penilaian.

    Rated rows make records `rated`, unrated ones `submitted`, each with the
    appraiser the row names. `progress(done, total)` is called after each chunk written.
    """
    run = SyncRun.objects.create(
        source="ekinerja", period_key=rules.period_key(year, month), opd_kode=opd_kode or "", triggered_by=triggered_by
    )
    try:
        period = _sync_periods(client, year, month, run)
        places = Places(run)
        only_opd = Opd.objects.filter(kode=opd_kode.upper()).first() if opd_kode else None
        plans = collect_plans(enumerate(client.skp_plan_rows(year), start=1), run)
        people = write_population(plans, run, places, year, only_opd, Source.EKINERJA)
        rows = _penilaian_rows(client, period, people, only_opd, run)
        penilaian = collect_ratings(enumerate(rows, start=1), run)
        asn_ids = {nip: asn.pk for nip, asn in people.items()}
        write_ratings(penilaian, run, places, period, asn_ids, only_opd, Source.EKINERJA, progress, chunk)
        cycle = sync_teacher_cycle(client, year, month, run, places, asn_ids, only_opd, chunk)
        fill_from_unit_heads()
        refresh_rollup_for_run(run, places, period)
        if cycle is not None:
            refresh_rollup(periods=[cycle])  # the months the cycle period covers
        run.status = SyncRun.Status.PARTLY_FAILED if run.failed else SyncRun.Status.SUCCEEDED
    except TokenRefused as error:
        run.status = SyncRun.Status.FAILED
        run.message = (
            f"e-Kinerja refused the token ({error}). The portal cannot renew it: ask BKN for a new token, "
            "set EKINERJA_TOKEN and run again. No record was changed by this refusal."
        )
    except (BknError, RowError) as error:
        run.status = SyncRun.Status.FAILED
        run.message = str(error)
    except BaseException as error:  # an interruption: record it, keep what was finished
        run.status = SyncRun.Status.FAILED
        run.message = f"interrupted: {type(error).__name__}: {error}"
        run.finished_at = timezone.now()
        run.save()
        raise
    run.finished_at = timezone.now()
    run.save()
    return run


def _sync_periods(client: EkinerjaClient, year: int, month: int, run: SyncRun) -> Period:
    """BKN's monthly periods onto the portal's; one BKN cannot read is skipped and listed, not the end of the run."""
    wanted = None
    for row in client.period_rows():
        try:
            bkn = parse_period(row) if isinstance(row, dict) else None
        except RowError as error:
            name = row.get("nama") or row.get("id") if isinstance(row, dict) else row
            run.notes.append(
                _("Period from BKN skipped, it cannot be read: %(name)s (%(error)s)") % {"name": name, "error": error}
            )
            continue
        if bkn is None:
            continue
        period = Period.objects.filter(year=bkn.year, month=bkn.month).first() or Period.build(bkn.year, bkn.month)
        if (period.bkn_periode_id, period.bkn_batas_pengisian) != (bkn.bkn_id, bkn.batas_pengisian):
            period.bkn_periode_id, period.bkn_batas_pengisian = bkn.bkn_id, bkn.batas_pengisian
            try:
                with transaction.atomic():
                    period.save()
            except IntegrityError:  # BKN gave two months one id: keep the first, say so
                run.notes.append(
                    _("Period id %(id)s from BKN names two months; %(period)s skipped.")
                    % {"id": bkn.bkn_id, "period": period.key}
                )
                continue
        if (bkn.year, bkn.month) == (year, month):
            wanted = period
    if wanted is None:
        raise BknError(f"e-Kinerja lists no monthly period {rules.period_key(year, month)}")
    return wanted


def sync_teacher_cycle(client, year: int, month: int, run: SyncRun, places, people, only_opd, chunk=CHUNK):
    """The teachers' cycle period containing the month, with its ratings, when the year's cycle is not monthly.

    DESIGN.md: a sync of a month also brings the teachers' cycle period that
    contains it. A cycle period e-Kinerja does not list yet is noted for
    BKPSDM, never the end of the run (the month itself was synced).
    """
    cycle = TeacherCycle.cycle_of(year)
    if cycle == rules.BULANAN:
        return None
    end = rules.cycle_end_month(cycle, month)
    found = None
    for row in client.period_rows():
        try:
            parsed = parse_cycle_period(row) if isinstance(row, dict) else None
        except RowError:
            continue  # the month's own pass over these rows already listed an unreadable one
        if parsed and parsed[0] == cycle and (parsed[1].year, parsed[1].month) == (year, end):
            found = parsed[1]
    key = rules.cycle_key(cycle, year, end)
    if found is None:
        run.notes.append(_("e-Kinerja lists no teachers' cycle period %(period)s yet.") % {"period": key})
        return None
    period = Period.every.filter(kind=cycle, year=year, month=end).first() or Period.build(year, end, cycle)
    if (period.bkn_periode_id, period.bkn_batas_pengisian) != (found.bkn_id, found.batas_pengisian):
        period.bkn_periode_id, period.bkn_batas_pengisian = found.bkn_id, found.batas_pengisian
        try:
            with transaction.atomic():
                period.save()
        except IntegrityError:
            run.notes.append(
                _("Period id %(id)s from BKN names two months; %(period)s skipped.")
                % {"id": found.bkn_id, "period": key}
            )
            return None
    rows = _penilaian_rows(client, period, people, only_opd, run)
    penilaian = collect_ratings(enumerate(rows, start=1), run)
    write_ratings(penilaian, run, places, period, people, only_opd, Source.EKINERJA, None, chunk)
    return period


def _penilaian_rows(client: EkinerjaClient, period: Period, people: dict, only_opd, run: SyncRun) -> list[dict]:
    """The period's Laporan Penilaian in one call; when that call fails (after its retries), one call per NIP.

    The per-NIP calls cover the population (the year's plans and every active
    ASN of the scope), `client.concurrency` at a time. A NIP whose call fails
    is an error of the run (its record is left as it was); the run fails only
    when every call failed.
    """
    try:
        return client.rating_rows(period.year, period.bkn_periode_id)
    except TokenRefused:
        raise
    except (BknError, RowError) as error:
        population = Asn.objects.expected_to_file()
        if only_opd:
            population = population.filter(opd=only_opd)
        nips = sorted(set(population.values_list("nip", flat=True)) | set(people))
        run.notes.append(
            _(
                "e-Kinerja's Laporan Penilaian of %(period)s failed (%(error)s); "
                "asked for each of %(count)d NIP instead."
            )
            % {"period": period.key, "error": error, "count": len(nips)}
        )
        answers = client.rating_rows_per_nip(period.year, period.bkn_periode_id, nips)
        failed = {nip: answer for nip, answer in answers.items() if isinstance(answer, Exception)}
        if nips and len(failed) == len(nips):
            raise BknError(f"{error}; and every call per NIP failed too ({next(iter(failed.values()))})") from None
        for nip, problem in failed.items():
            run.failed += 1
            run.errors.append({"nip": nip, "error": str(problem)})
        return [row for answer in answers.values() if isinstance(answer, list) for row in answer]


# Longer than any sync may take (the Celery time limit), so a lock cannot outlive its reason by much.
LOCK_SECONDS = settings.CELERY_TASK_TIME_LIMIT


def sync_period(
    *, year: int, month: int, opd_kode: str | None = None, triggered_by: str, progress=None
) -> SyncRun | None:
    """One sync of a scope at a time (a lock in the cache: Redis when configured), with the configured client.

    Returns None when a sync of the same scope is already running; raises
    clients.NotConfigured, having written nothing, when there is no BKN to ask.
    """
    client = ekinerja_client()  # NotConfigured before any lock or row
    sync = partial(sync_ekinerja, client=client, year=year, month=month, opd_kode=opd_kode, progress=progress)
    return _one_at_a_time(f"ekinerja:{rules.period_key(year, month)}", opd_kode, client, sync, triggered_by)


def sync_master_data(*, opd_kode: str | None = None, triggered_by: str, progress=None) -> SyncRun | None:
    """sync_siasn with the configured client, one at a time per scope (like sync_period)."""
    client = siasn_client()  # NotConfigured before any lock or row
    sync = partial(sync_siasn, client=client, opd_kode=opd_kode, progress=progress)
    return _one_at_a_time("siasn", opd_kode, client, sync, triggered_by)


def _one_at_a_time(source: str, opd_kode: str | None, client, sync, triggered_by: str) -> SyncRun | None:
    """`sync(triggered_by=…)` under the lock of its source and OPD (None, without it, while another holds it);
    the client closed after."""
    key = f"kinerja:sync:{source}:{(opd_kode or '*').upper()}"
    try:
        if not cache.add(key, triggered_by, timeout=LOCK_SECONDS):
            return None
        try:
            return sync(triggered_by=triggered_by)
        finally:
            cache.delete(key)
    finally:
        client.close()
