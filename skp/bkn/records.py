"""Writers shared by the e-Kinerja sync and the imports: the population, the records and their appraisers.

One code path for API rows and export rows, so a sync and an import of the
same data land the same way (DESIGN.md "Real BKN data"): a Laporan Penilaian
row makes the record `rated` or, without a rating, `submitted` with the
appraiser the row names; a rating is never replaced by an unrated row or by
no row at all; one NIP on rows of two SKPs in one period is a transfer (the
SKP that ends later wins).
"""

import dataclasses
import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opd.models import Asn
from opd.nip import normalize_nip

from .. import rules
from ..models import RATING_FIELDS, AnnualSkp, MonthlyRecord, Period, RecordPayload, SyncRun
from ..rollup import refresh_rollup
from .appraisers import ensure_appraisers, newest_from_ekinerja
from .bulk import CHUNK, jsonable, upsert
from .ekinerja import Penilaian, RowError, parse_kind, parse_penilaian, parse_plan
from .places import Places

RECORD_FIELDS = [*RATING_FIELDS, "opd", "unit", "atasan", "is_guru"]
ATASAN_FIELDS = ["atasan", "atasan_source", "atasan_as_of"]


def _parsed(rows, run: SyncRun, parse):
    """Each numbered row read by `parse`, with its number; a row it refuses is counted and listed on the run."""
    for number, row in rows:
        try:
            item = parse(row)
        except RowError as error:
            run.failed += 1
            run.errors.append({"row": number, "nip": str(row.get("nip", "")), "error": str(error)})
            continue
        yield number, item


def collect_plans(rows, run: SyncRun) -> dict:
    """Parsed SKP plans by NIP: acting officials' plans dropped, a transfer's latest plan kept.

    The plan kept carries, as its `periode_awal`, the earliest start among the
    NIP's plans of the year: the month their service starts (DESIGN.md "Population").
    """
    plans, starts = {}, {}
    for _number, plan in _parsed(rows, run, parse_plan):
        if plan.acting:
            continue  # an acting official's plan is not their own SKP
        if plan.periode_awal and (plan.nip not in starts or plan.periode_awal < starts[plan.nip]):
            starts[plan.nip] = plan.periode_awal
        # The same NIP twice after a transfer: the plan that runs latest wins.
        if plan.nip not in plans or plan.periode_akhir >= plans[plan.nip].periode_akhir:
            plans[plan.nip] = plan
    return {nip: dataclasses.replace(plan, periode_awal=starts.get(nip)) for nip, plan in plans.items()}


def collect_ratings(rows, run: SyncRun) -> dict[str, Penilaian]:
    """One Laporan Penilaian row per NIP, rated or not.

    Acting officials' rows are dropped first. Rows of one SKP must agree on
    the rating (else an error for that NIP, marked `duplicate`: an import
    refuses the file); an unrated row never beats a rated one of the same SKP.
    Rows of different SKPs (skp_id, or unit and SKP dates) are a transfer
    during the month: the SKP that ends later wins.
    """
    by_nip: dict[str, list] = {}
    for number, item in _parsed(rows, run, parse_penilaian):
        if not item.acting:
            by_nip.setdefault(item.nip, []).append((number, item))
    chosen = {}
    for nip, entries in by_nip.items():
        skps: dict[tuple, tuple[int, Penilaian]] = {}
        conflict = None
        for number, item in entries:
            before = skps.get(item.skp_key)
            if before is not None and before[1].rated and item.rated and before[1].rating != item.rating:
                conflict = (number, before[0])
                break
            if before is None or (item.rated and not before[1].rated):
                skps[item.skp_key] = (number, item)
        if conflict:
            run.failed += 1
            run.errors.append(
                {
                    "row": conflict[0],
                    "nip": nip,
                    "duplicate": True,
                    "error": _("the NIP is also on row %(row)d: two ratings in one period") % {"row": conflict[1]},
                }
            )
            continue
        chosen[nip] = max(
            skps.values(),
            key=lambda e: (e[1].skp_end or dt.date.min, e[1].skp_start or dt.date.min, e[1].rated, e[0]),
        )[1]
    return chosen


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
        unit = places.unit(opd, plan.unor, plan.unor_id)
        asn = people.get(plan.nip)
        kind = plan.kind or (asn.kind if asn else Asn.Kind.PNS)
        if plan.kind is None:
            places.note(
                _("NIP %(nip)s: jenis_pegawai %(word)r is neither PNS nor PPPK; kept %(kind)s.")
                % {"nip": plan.nip, "word": plan.kind_word, "kind": kind.upper()}
            )
        fields = (plan.nama, plan.jabatan, kind, opd.pk, unit.pk if unit else None, False)
        if asn is None:
            asn = Asn.objects.create(
                nip=plan.nip, nama=plan.nama, jabatan=plan.jabatan, kind=kind, opd=opd, unit=unit, last_synced_at=now
            )
            people[plan.nip] = asn
            places.population_opd_ids.add(opd.pk)
        elif (asn.nama, asn.jabatan, asn.kind, asn.opd_id, asn.unit_id, asn.known_only_as_appraiser) != fields:
            places.population_opd_ids |= {asn.opd_id, opd.pk}
            asn.nama, asn.jabatan, asn.kind, asn.opd_id, asn.unit_id, asn.known_only_as_appraiser = fields
            asn.last_synced_at = now
            changed_asn.append(asn)
        skp = skps.get(asn.pk)
        wanted = (plan.status, plan.approved, plan.skp_id, plan.periode_awal)
        if skp is None or (skp.plan_status, skp.plan_approved, skp.bkn_skp_id, skp.periode_awal) != wanted:
            if skp is None or skp.periode_awal != plan.periode_awal:
                places.population_opd_ids.add(opd.pk)  # the months they file for changed
            skp_rows.append(
                AnnualSkp(
                    asn=asn,
                    year=year,
                    source=source,
                    plan_status=plan.status,
                    plan_approved=plan.approved,
                    bkn_skp_id=plan.skp_id,
                    periode_awal=plan.periode_awal,
                    last_synced_at=now,
                )
            )
    # In bulk: a sync is recorded as a SyncRun, not as thousands of audit entries.
    with transaction.atomic():
        upsert(
            Asn,
            changed_asn,
            ["nip"],
            ["nama", "jabatan", "kind", "opd", "unit", "known_only_as_appraiser", "last_synced_at"],
        )
        upsert(
            AnnualSkp,
            skp_rows,
            ["asn", "year"],
            ["plan_status", "plan_approved", "bkn_skp_id", "periode_awal", "source", "last_synced_at"],
        )
    return people


def write_ratings(
    rows: dict[str, Penilaian],
    run: SyncRun,
    places: Places,
    period: Period,
    people: dict[str, int],
    only_opd,
    source: str,
    progress=None,
    chunk: int = CHUNK,
) -> None:
    """Upsert the period's records in chunks, rated and filed alike, with the appraiser each row names.

    `people` maps NIP to ASN id (ids, not instances: 60,000 of them). People
    and appraisers the portal does not know are created first (appraisers
    outside the population, listed for BKPSDM).
    """
    todo = [row for row in rows.values() if _place(row, run, places, only_opd)]
    _ensure_people(todo, people, places)
    atasan = ensure_appraisers(todo, places)
    for start in range(0, len(todo), chunk):
        _write_chunk(run, places, period, people, atasan, todo[start : start + chunk], source)
        if progress:
            progress(min(start + chunk, len(todo)), len(todo))


def _place(row: Penilaian, run, places, only_opd) -> bool:
    opd = places.opd(row.unor_induk)
    if opd is None:
        run.failed += 1
        run.errors.append({"nip": row.nip, "error": "no OPD (skp_unor_induk) in the row"})
        return False
    return not (only_opd and opd.pk != only_opd.pk)


def _ensure_people(rows: list[Penilaian], people: dict[str, int], places: Places) -> None:
    """Everyone with a row of their own is someone who files: create whom the portal lacks.

    An appraiser created earlier from someone else's row joins the population
    here too: a row of their own means an SKP of their own.
    """
    nips = [r.nip for r in rows]
    for start in range(0, len(nips), CHUNK):
        part = nips[start : start + CHUNK]
        found = dict(Asn.objects.filter(nip__in=part).values_list("nip", "pk"))
        people.update(found)
        joined = Asn.objects.filter(nip__in=part, known_only_as_appraiser=True)
        places.population_opd_ids |= set(joined.values_list("opd_id", flat=True))
        joined.update(known_only_as_appraiser=False)
    new = []
    for row in rows:
        if row.nip in people:
            continue
        opd = places.opd(row.unor_induk)
        unit = places.unit(opd, row.unor, row.unor_id)
        kind = parse_kind(row.raw.get("jenis_pegawai")) or Asn.Kind.PNS
        new.append(Asn(nip=row.nip, nama=row.nama, jabatan=row.jabatan, kind=kind, opd=opd, unit=unit))
        places.population_opd_ids.add(opd.pk)
    Asn.objects.bulk_create(new, batch_size=CHUNK)
    for start in range(0, len(new), CHUNK):
        part = [a.nip for a in new[start : start + CHUNK]]
        people.update(Asn.objects.filter(nip__in=part).values_list("nip", "pk"))


def _record_values(record: MonthlyRecord) -> list:
    return [getattr(record, record._meta.get_field(f).attname) for f in RECORD_FIELDS]


@transaction.atomic
def _write_chunk(run, places, period, people, atasan, chunk, source) -> None:
    now = timezone.now()
    ids = [people[row.nip] for row in chunk]
    existing = {r.asn_id: r for r in MonthlyRecord.objects.filter(period=period, asn_id__in=ids)}
    persons = {a.pk: a for a in Asn.objects.filter(pk__in=ids)}
    new, changed, payloads, confirmed, appraised = [], [], [], [], []
    for row in chunk:
        asn = persons[people[row.nip]]
        record = existing.get(asn.pk)
        named = atasan.get(normalize_nip(row.atasan_nip)) if row.atasan_nip else None
        named = None if named == asn.pk else named  # nobody appraises themself
        if named and newest_from_ekinerja(asn, named, period):
            appraised.append(asn)
        if not row.rated and record is not None and record.stage == rules.RATED:
            run.unchanged += 1  # a rating is never replaced by an unrated row
            confirmed.append(record.pk)
            continue
        opd = places.opd(row.unor_induk)
        values = {
            "stage": rules.RATED if row.rated else rules.SUBMITTED,
            "rated_at": row.rated_at,
            "rating_hasil": row.hasil,
            "rating_perilaku": row.perilaku,
            "predikat_bkn": row.predikat or "",
            "opd": opd,
            "unit": places.unit(opd, row.unor, row.unor_id),
            # The month's appraiser: the one the row names, else the one the portal used before it.
            "atasan_id": named or asn.atasan_id,
            # The month keeps its jabatan's group: a teacher that month follows the teachers' cycle.
            "is_guru": rules.is_guru_jabatan(row.jabatan),
            # When the portal first saw the filing (e-Kinerja does not say when the ASN filed).
            "submitted_at": (record.submitted_at if record else None) or (None if row.rated else now),
        }
        if record is None:
            record = MonthlyRecord(asn_id=asn.pk, period=period, source=source, last_synced_at=now, **values)
            new.append(record)
        else:
            before = _record_values(record)
            for key, value in values.items():
                setattr(record, key, value)
            record.last_synced_at = now
            if before != _record_values(record) or record.source != source:
                record.source = source
                record.edited_by_hand = False
                changed.append(record)
            else:
                run.unchanged += 1
                confirmed.append(record.pk)
                continue
        payloads.append((record, row.raw))
    upsert(
        MonthlyRecord, new + changed, ["asn", "period"], [*RECORD_FIELDS, "source", "edited_by_hand", "last_synced_at"]
    )
    upsert(Asn, appraised, ["nip"], ATASAN_FIELDS)
    # Unchanged records still say when BKN last confirmed them; their raw payload stays.
    MonthlyRecord.objects.filter(pk__in=confirmed).update(last_synced_at=now)
    RecordPayload.objects.bulk_create(
        [RecordPayload(record=r, source=source, payload=jsonable(raw)) for r, raw in payloads],
        update_conflicts=True,
        unique_fields=["record"],
        update_fields=["payload", "source", "received_at"],
    )
    run.created += len(new)
    run.updated += len(changed)
    run.save(update_fields=["created", "updated", "unchanged", "failed", "errors", "notes"])


def refresh_rollup_for_run(run: SyncRun, places: Places, period: Period | None = None) -> None:
    """Keep the rollup exact in every period the run touched.

    The synced period is recounted when its records changed; every other
    stored period for the OPD whose population changed (people created,
    moved, regrouped, or starting their service in another month), since
    an ASN without a record counts where they are now.
    """
    if period is not None and (run.created or run.updated or places.created or places.population_opd_ids):
        refresh_rollup(periods=[period])
    if places.population_opd_ids:
        others = Period.objects.exclude(pk=period.pk) if period is not None else Period.objects.all()
        refresh_rollup(periods=others, opd_ids=places.population_opd_ids)
