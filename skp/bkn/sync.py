"""The sync from e-Kinerja: one service for the command, the Celery task and the demo.

Idempotent (a second run changes nothing), chunked (an interrupted run keeps
what it finished; the next one completes the rest), and it never replaces a
rating by "no data": only rows BKN says are rated are written.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from opd.models import Asn, Opd, Unit
from opd.services import data_changes_batched, opd_data_changed

from .. import rules
from ..models import AnnualSkp, MonthlyRecord, Period, RecordPayload, Source, SyncRun
from ..rollup import rollup_refresh
from .clients import ekinerja_client, siasn_client  # which BKN to ask: clients.py
from .ekinerja import EkinerjaClient, RowError, parse_plan, parse_rating
from .http import BknError, TokenRefused

CHUNK = 1000
RECORD_FIELDS = ["stage", "rated_at", "rating_hasil", "rating_perilaku", "predikat_bkn", "opd", "unit", "atasan"]


@dataclass
class Places:
    """OPD and units by name, created when BKN names one the portal does not know yet."""

    run: SyncRun

    def __post_init__(self):
        self.created = 0
        self.opds = {o.nama.lower(): o for o in Opd.objects.all()}
        self.units = {(u.opd_id, u.nama.lower()): u for u in Unit.objects.all()}

    def opd(self, name: str | None) -> Opd | None:
        if not name:
            return None
        found = self.opds.get(name.lower())
        if found is None:
            found = Opd.objects.create(kode=self._kode(name), nama=name, jenis=self._jenis(name))
            self.opds[name.lower()] = found
            self.created += 1
            self.run.notes.append(_("New OPD from BKN: %(name)s (%(kode)s)") % {"name": name, "kode": found.kode})
        return found

    def unit(self, opd: Opd, name: str | None) -> Unit | None:
        if not name or name.lower() == opd.nama.lower():
            return None
        found = self.units.get((opd.pk, name.lower()))
        if found is None:
            found = Unit.objects.create(opd=opd, nama=name)
            self.units[(opd.pk, name.lower())] = found
            self.created += 1
            self.run.notes.append(_("New unit from BKN: %(name)s (%(kode)s)") % {"name": name, "kode": opd.kode})
        return found

    @staticmethod
    def _kode(name: str) -> str:
        base = re.sub(r"[^A-Z0-9-]", "", slugify(name).upper())[:28] or "OPD"
        kode, n = base, 1
        while Opd.objects.filter(kode=kode).exists():
            n += 1
            kode = f"{base[:25]}-{n}"
        return kode

    @staticmethod
    def _jenis(name: str) -> str:
        first = name.split()[0].lower()
        return {
            "kecamatan": "kecamatan",
            "badan": "badan",
            "inspektorat": "inspektorat",
            "sekretariat": "sekretariat",
        }.get(first, "dinas")


@data_changes_batched()
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
    """Mirror one period from e-Kinerja: the period, the year's SKP plans and the ratings.

    `progress(done, total)` is called after each chunk of ratings written.
    """
    run = SyncRun.objects.create(
        source="ekinerja", period_key=rules.period_key(year, month), opd_kode=opd_kode or "", triggered_by=triggered_by
    )
    try:
        period = _sync_periods(client, year, month)
        places = Places(run)
        only_opd = Opd.objects.filter(kode=opd_kode.upper()).first() if opd_kode else None
        plans = collect_plans(enumerate(client.skp_plan_rows(year), start=1), run)
        people = write_population(plans, run, places, year, only_opd, Source.EKINERJA)
        ratings, _unrated = collect_ratings(enumerate(client.rating_rows(year, period.bkn_periode_id), start=1), run)
        asn_ids = {nip: asn.pk for nip, asn in people.items()}
        write_ratings(ratings, run, places, period, asn_ids, only_opd, Source.EKINERJA, progress, chunk)
        if run.created or run.updated or places.created or _population_changed(run):
            rollup_refresh(periods=[period])
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


def _sync_periods(client: EkinerjaClient, year: int, month: int) -> Period:
    wanted = None
    for bkn in client.periods():
        period = Period.objects.filter(year=bkn.year, month=bkn.month).first() or Period.build(bkn.year, bkn.month)
        if (period.bkn_periode_id, period.bkn_batas_pengisian) != (bkn.bkn_id, bkn.batas_pengisian):
            period.bkn_periode_id, period.bkn_batas_pengisian = bkn.bkn_id, bkn.batas_pengisian
            period.save()
        if (bkn.year, bkn.month) == (year, month):
            wanted = period
    if wanted is None:
        raise BknError(f"e-Kinerja lists no monthly period {rules.period_key(year, month)}")
    return wanted


def collect_plans(rows, run: SyncRun) -> dict:
    """Parsed SKP plans by NIP: acting officials' plans dropped, a transfer's latest plan kept."""
    plans = {}
    for number, row in rows:
        try:
            plan = parse_plan(row)
        except RowError as error:
            run.failed += 1
            run.errors.append({"row": number, "nip": str(row.get("nip", "")), "error": str(error)})
            continue
        if plan.acting:
            continue  # an acting official's plan is not their own SKP
        # The same NIP twice after a transfer: the plan that runs latest wins.
        if plan.nip not in plans or plan.periode_akhir >= plans[plan.nip].periode_akhir:
            plans[plan.nip] = plan
    return plans


def collect_ratings(rows, run: SyncRun) -> tuple[dict, dict]:
    """Parsed rated rows by NIP, and the unrated ones (hasil_akhir '-' or blank) by NIP.

    One NIP on two rows of one period (acting rows aside) is an error for that NIP.
    """
    ratings, unrated, seen = {}, {}, {}
    for number, row in rows:
        try:
            rating = parse_rating(row)
        except RowError as error:
            run.failed += 1
            run.errors.append({"row": number, "nip": str(row.get("nip", "")), "error": str(error)})
            continue
        if rating is None:
            unrated[str(row.get("nip", "")).strip().lstrip("'")] = (number, row)
            continue
        if rating.acting:
            continue
        if rating.nip in seen:
            run.failed += 1
            run.errors.append(
                {
                    "row": number,
                    "nip": rating.nip,
                    "duplicate": True,
                    "error": _("the NIP is also on row %(row)d: two ratings in one period") % {"row": seen[rating.nip]},
                }
            )
            ratings.pop(rating.nip, None)
            continue
        seen[rating.nip] = number
        ratings[rating.nip] = rating
    return ratings, unrated


def write_population(plans: dict, run: SyncRun, places: Places, year: int, only_opd, source: str) -> dict[str, Asn]:
    """The year's SKP plans: everyone expected to file, created or brought up to date."""
    people = {a.nip: a for a in Asn.objects.filter(nip__in=plans)}
    skps = {s.asn_id: s for s in AnnualSkp.objects.filter(year=year, asn__nip__in=plans)}
    now = timezone.now()
    changed_asn, skp_rows = [], []
    for plan in plans.values():
        opd = places.opd(plan.unor_induk)
        if opd is None or (only_opd and opd.pk != only_opd.pk):
            continue
        unit = places.unit(opd, plan.unor)
        asn = people.get(plan.nip)
        fields = (plan.nama, plan.jabatan, plan.kind, opd.pk, unit.pk if unit else None)
        if asn is None:
            asn = Asn.objects.create(
                nip=plan.nip,
                nama=plan.nama,
                jabatan=plan.jabatan,
                kind=plan.kind,
                opd=opd,
                unit=unit,
                last_synced_at=now,
            )
            people[plan.nip] = asn
        elif (asn.nama, asn.jabatan, asn.kind, asn.opd_id, asn.unit_id) != fields:
            asn.nama, asn.jabatan, asn.kind, asn.opd_id, asn.unit_id = fields
            asn.last_synced_at = now
            changed_asn.append(asn)
        skp = skps.get(asn.pk)
        if skp is None or (skp.plan_status, skp.plan_approved, skp.bkn_skp_id) != (
            plan.status,
            plan.approved,
            plan.skp_id,
        ):
            skp_rows.append(
                AnnualSkp(
                    asn=asn,
                    year=year,
                    source=source,
                    plan_status=plan.status,
                    plan_approved=plan.approved,
                    bkn_skp_id=plan.skp_id,
                    last_synced_at=now,
                )
            )
    # Who counts where may have changed: the rollup must be refreshed (see sync_ekinerja).
    run.population_changes = len(changed_asn) + sum(1 for a in people.values() if a.last_synced_at == now)
    # In bulk: a sync is recorded as a SyncRun, not as thousands of audit entries.
    with transaction.atomic():
        _upsert(Asn, changed_asn, ["nip"], ["nama", "jabatan", "kind", "opd", "unit", "last_synced_at"])
        _upsert(
            AnnualSkp,
            skp_rows,
            ["asn", "year"],
            ["plan_status", "plan_approved", "bkn_skp_id", "source", "last_synced_at"],
        )
    return people


def write_ratings(
    ratings: dict,
    run: SyncRun,
    places: Places,
    period: Period,
    people: dict[str, int],
    only_opd,
    source: str,
    progress=None,
    chunk: int = CHUNK,
) -> None:
    """Upsert the ratings in chunks. `people` maps NIP to ASN id (ids, not instances: 60,000 of them)."""
    missing = [nip for nip in ratings if nip not in people]
    people.update(dict(Asn.objects.filter(nip__in=missing).values_list("nip", "pk")))
    atasan_nips = {r.atasan_nip for r in ratings.values() if r.atasan_nip}
    atasan = dict(Asn.objects.filter(nip__in=atasan_nips).values_list("nip", "pk"))
    todo = list(ratings.values())
    for start in range(0, len(todo), chunk):
        _write_chunk(run, places, period, people, atasan, todo[start : start + chunk], only_opd, source)
        if progress:
            progress(min(start + chunk, len(todo)), len(todo))


def _record_values(record: MonthlyRecord) -> list:
    return [getattr(record, record._meta.get_field(f).attname) for f in RECORD_FIELDS]


def _upsert(model, objects: list, unique: list[str], fields: list[str]) -> None:
    """INSERT … ON CONFLICT DO UPDATE, keyed by a unique constraint, for new and changed rows alike.

    Django's bulk_update builds a CASE per row and field and took a minute for
    8,000 rows here; an upsert is one statement per batch. Objects come back
    with their primary keys (PostgreSQL and SQLite both return them).
    """
    for obj in objects:
        obj.pk = None  # conflict on the natural key, never on an id we already know
        if model is Asn:
            obj.id = None
    model.objects.bulk_create(
        objects, batch_size=CHUNK, update_conflicts=True, unique_fields=unique, update_fields=fields
    )


@transaction.atomic
def _write_chunk(run, places, period, people, atasan, chunk, only_opd, source) -> None:
    now = timezone.now()
    existing = {r.asn_id: r for r in MonthlyRecord.objects.filter(period=period, asn__nip__in=[x.nip for x in chunk])}
    new, changed, payloads, confirmed = [], [], [], []
    for rating in chunk:
        opd = places.opd(rating.unor_induk)
        if opd is None:
            run.failed += 1
            run.errors.append({"nip": rating.nip, "error": "no OPD (skp_unor_induk) in the row"})
            continue
        if only_opd and opd.pk != only_opd.pk:
            continue
        asn_id = people.get(rating.nip)
        if asn_id is None:  # rated but not in the year's plans: still someone who must be listed
            asn_id = Asn.objects.create(
                nip=rating.nip, nama=rating.nama, opd=opd, unit=places.unit(opd, rating.unor)
            ).pk
            people[rating.nip] = asn_id
        values = {
            "stage": rules.RATED,
            "rated_at": rating.rated_at,
            "rating_hasil": rating.hasil,
            "rating_perilaku": rating.perilaku,
            "predikat_bkn": rating.predikat or "",
            "opd": opd,
            "unit": places.unit(opd, rating.unor),
            "atasan_id": atasan.get(rating.atasan_nip),
        }
        record = existing.get(asn_id)
        if record is None:
            record = MonthlyRecord(asn_id=asn_id, period=period, source=source, last_synced_at=now, **values)
            new.append(record)
        else:
            before = _record_values(record)
            for key, value in values.items():
                setattr(record, key, value)
            after = _record_values(record)
            record.last_synced_at = now
            if before != after or record.source != source:
                record.source = source
                record.edited_by_hand = False
                changed.append(record)
            else:
                run.unchanged += 1
                confirmed.append(record.pk)
                continue
        payloads.append((record, rating.raw))
    _upsert(
        MonthlyRecord, new + changed, ["asn", "period"], [*RECORD_FIELDS, "source", "edited_by_hand", "last_synced_at"]
    )
    # Unchanged records still say when BKN last confirmed them; their raw payload stays.
    MonthlyRecord.objects.filter(pk__in=confirmed).update(last_synced_at=now)
    RecordPayload.objects.bulk_create(
        [RecordPayload(record=r, source=source, payload=_jsonable(raw)) for r, raw in payloads],
        update_conflicts=True,
        unique_fields=["record"],
        update_fields=["payload", "source", "received_at"],
    )
    run.created += len(new)
    run.updated += len(changed)
    run.save(update_fields=["created", "updated", "unchanged", "failed", "errors", "notes"])


def _population_changed(run: SyncRun) -> bool:
    return getattr(run, "population_changes", 1) > 0


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
    key = f"kinerja:sync:ekinerja:{rules.period_key(year, month)}:{(opd_kode or '*').upper()}"
    if not cache.add(key, triggered_by, timeout=LOCK_SECONDS):
        client.close()
        return None
    try:
        return sync_ekinerja(
            client=client, year=year, month=month, opd_kode=opd_kode, triggered_by=triggered_by, progress=progress
        )
    finally:
        client.close()
        cache.delete(key)


def _jsonable(row: dict) -> dict:
    """Spreadsheet cells can be dates and floats; the raw payload is kept as JSON."""
    return {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@data_changes_batched()
def sync_siasn(*, client, opd_kode: str | None = None, triggered_by: str, progress=None, chunk: int = CHUNK) -> SyncRun:
    """SIASN's master data (names with titles, email, phone, PNS/PPPK, PNS id) and the annual
    SKP results that reached SIASN, for every active ASN of the scope, `concurrency` calls at a time."""
    from .siasn import parse_annual, parse_master

    run = SyncRun.objects.create(source="siasn", period_key="", opd_kode=opd_kode or "", triggered_by=triggered_by)
    people = Asn.objects.filter(is_active=True)
    if opd_kode:
        people = people.filter(opd__kode=opd_kode.upper())
    nips = list(people.order_by("nip").values_list("nip", flat=True))
    try:
        if not opd_kode:
            _write_unor_tree(run, client.get("/referensi/ref-unor") or [])
        for start in range(0, len(nips), chunk):
            part = nips[start : start + chunk]
            masters = client.for_each_nip("/pns/data-utama/{nip}", part)
            annuals = client.for_each_nip("/pns/rw-skp22/{nip}", part)
            _write_siasn_chunk(run, part, masters, annuals, parse_master, parse_annual)
            if progress:
                progress(min(start + chunk, len(nips)), len(nips))
        run.status = SyncRun.Status.PARTLY_FAILED if run.failed else SyncRun.Status.SUCCEEDED
    except TokenRefused as error:
        run.status = SyncRun.Status.FAILED
        run.message = f"SIASN refused the credentials ({error}): check the SIASN_* settings. No record was changed."
    run.finished_at = timezone.now()
    run.save()
    return run


@transaction.atomic
def _write_siasn_chunk(run, nips, masters, annuals, parse_master, parse_annual) -> None:
    now = timezone.now()
    people = {a.nip: a for a in Asn.objects.filter(nip__in=nips)}
    skps, master_data = [], []
    for nip in nips:
        master, annual = masters.get(nip), annuals.get(nip)
        problem = next((x for x in (master, annual) if isinstance(x, Exception)), None)
        if problem is not None:
            run.failed += 1
            run.errors.append({"nip": nip, "error": str(problem)})
            continue
        asn = people[nip]
        if isinstance(master, dict):
            master_data.append(parse_master(nip, master))
        for row in annual or []:
            result = parse_annual(nip, row)
            skps.append(
                AnnualSkp(
                    asn=asn,
                    year=result.year,
                    sent_to_siasn=True,
                    rating_hasil=result.hasil,
                    rating_perilaku=result.perilaku,
                    predikat=result.predikat or "",
                    source=Source.SIASN,
                    last_synced_at=now,
                )
            )
    write_master_data(run, master_data, people)
    _upsert(
        AnnualSkp,
        skps,
        ["asn", "year"],
        ["sent_to_siasn", "rating_hasil", "rating_perilaku", "predikat", "last_synced_at"],
    )
    run.save(update_fields=["updated", "unchanged", "failed", "errors"])


def write_master_data(run: SyncRun, master_data: list, people: dict[str, Asn] | None = None) -> None:
    """SIASN's master data (from its API or its CSV export) onto the ASN it names.

    An empty value in SIASN never erases what the portal has; NIPs the portal
    does not know yet are listed for BKPSDM.
    """
    if people is None:
        people = {a.nip: a for a in Asn.objects.filter(nip__in=[m.nip for m in master_data])}
    now = timezone.now()
    changed = []
    for data in master_data:
        asn = people.get(data.nip)
        if asn is None:
            run.notes.append(
                _("NIP %(nip)s is not in the portal yet (sync or import a Laporan SKP first).") % {"nip": data.nip}
            )
            continue
        new = (
            data.nama or asn.nama,
            data.email or asn.email,
            data.phone or asn.phone,
            data.kind,
            data.pns_id or asn.siasn_pns_id,
        )
        if (asn.nama, asn.email, asn.phone, asn.kind, asn.siasn_pns_id) != new:
            asn.nama, asn.email, asn.phone, asn.kind, asn.siasn_pns_id = new
            asn.last_synced_at = now
            changed.append(asn)
            run.updated += 1
        else:
            run.unchanged += 1
    _upsert(Asn, changed, ["nip"], ["nama", "email", "phone", "kind", "siasn_pns_id", "last_synced_at"])
    if changed:  # names show on the dashboards, an appraiser's on other OPD's too
        opd_data_changed()


def sync_master_data(*, opd_kode: str | None = None, triggered_by: str, progress=None) -> SyncRun | None:
    """sync_siasn with the configured client, one at a time per scope (like sync_period)."""
    client = siasn_client()  # NotConfigured before any lock or row
    key = f"kinerja:sync:siasn:{(opd_kode or '*').upper()}"
    if not cache.add(key, triggered_by, timeout=LOCK_SECONDS):
        client.close()
        return None
    try:
        return sync_siasn(client=client, opd_kode=opd_kode, triggered_by=triggered_by, progress=progress)
    finally:
        client.close()
        cache.delete(key)


@transaction.atomic
def _write_unor_tree(run: SyncRun, rows: list[dict]) -> None:
    """SIASN's unit tree: each OPD's and unit's SIASN id, parent and head (by PNS id).

    Master data runs before this in a first sync, so heads resolve on the
    second; units the portal does not know are created and listed.
    """
    from .ekinerja import _get

    by_id = {str(_get(r, "Id")): r for r in rows if _get(r, "Id")}
    children: dict[str | None, list] = {}
    for row in by_id.values():
        children.setdefault(str(_get(row, "DiatasanId")) if _get(row, "DiatasanId") else None, []).append(row)
    heads = dict(Asn.objects.exclude(siasn_pns_id="").values_list("siasn_pns_id", "pk"))
    places = Places(run)
    roots = children.get(None, [])
    for root in roots:
        for opd_row in children.get(str(_get(root, "Id")), []):
            opd = places.opd(_get(opd_row, "NamaUnor"))
            head = heads.get(str(_get(opd_row, "PemimpinPnsId") or ""))
            if (opd.siasn_unor_id, opd.head_id) != (str(_get(opd_row, "Id")), head or opd.head_id):
                opd.siasn_unor_id, opd.head_id = str(_get(opd_row, "Id")), head or opd.head_id
                opd.save(update_fields=["siasn_unor_id", "head"])
            stack = [(row, None) for row in children.get(str(_get(opd_row, "Id")), [])]
            while stack:
                row, parent = stack.pop()
                unit = places.unit(opd, _get(row, "NamaUnor"))
                if unit is None:
                    continue
                head = heads.get(str(_get(row, "PemimpinPnsId") or ""))
                wanted = (str(_get(row, "Id")), parent.pk if parent else None, head or unit.head_id)
                if (unit.siasn_unor_id, unit.parent_id, unit.head_id) != wanted:
                    unit.siasn_unor_id, unit.parent_id, unit.head_id = wanted
                    unit.save(update_fields=["siasn_unor_id", "parent", "head"])
                stack.extend((child, unit) for child in children.get(str(_get(row, "Id")), []))
