"""The SIASN sync: master data, annual SKP results, the unit tree, and the appraisers SIASN names.

After e-Kinerja's rows (skp/bkn/records.py), SIASN names an ASN's appraiser
(`penilaiNipNrp` / `nipNrpPenilai` of their newest rw-kinerjaperiodik or
rw-skp22 entry); with neither, the head of their unit, climbing the unit tree
to the OPD's head (`fill_from_unit_heads`).
"""

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opd.emails import record_rejected_emails
from opd.models import Asn
from opd.services import data_changes_batched, opd_data_changed

from ..models import AnnualSkp, Source, SyncRun
from ..rollup import refresh_rollup
from .appraisers import fill_from_unit_heads, write_siasn_appraisers
from .bulk import CHUNK, upsert
from .ekinerja import _get
from .http import TokenRefused
from .places import Places
from .siasn import newest_appraiser_nip, parse_annual, parse_master


@data_changes_batched()
# A sync or import is recorded as its SyncRun; the rows it creates one by one are no one's
# hand edit, so they write no audit entries (thousands of them on a first sync).
@disable_auditlog()
def sync_siasn(*, client, opd_kode: str | None = None, triggered_by: str, progress=None, chunk: int = CHUNK) -> SyncRun:
    """SIASN's master data (names with titles, email, phone, PNS/PPPK, PNS id), the annual SKP
    results that reached SIASN and the appraiser SIASN names, for every active ASN of the scope,
    `concurrency` calls at a time."""
    run = SyncRun.objects.create(source="siasn", period_key="", opd_kode=opd_kode or "", triggered_by=triggered_by)
    people = Asn.objects.filter(is_active=True)
    if opd_kode:
        people = people.filter(opd__kode=opd_kode.upper())
    nips = list(people.order_by("nip").values_list("nip", flat=True))
    joined: set[int] = set()
    try:
        if not opd_kode:
            _write_unor_tree(run, client.get("/referensi/ref-unor") or [])
        for start in range(0, len(nips), chunk):
            part = nips[start : start + chunk]
            masters = client.for_each_nip("/pns/data-utama/{nip}", part)
            annuals = client.for_each_nip("/pns/rw-skp22/{nip}", part)
            periodic = client.for_each_nip("/pns/rw-kinerjaperiodik/{nip}", part)
            joined |= _write_siasn_chunk(run, part, masters, annuals, periodic)
            if progress:
                progress(min(start + chunk, len(nips)), len(nips))
        fill_from_unit_heads()
        run.status = SyncRun.Status.PARTLY_FAILED if run.failed else SyncRun.Status.SUCCEEDED
    except TokenRefused as error:
        run.status = SyncRun.Status.FAILED
        run.message = f"SIASN refused the credentials ({error}): check the SIASN_* settings. No record was changed."
    if joined:
        refresh_rollup(opd_ids=joined)
    run.finished_at = timezone.now()
    run.save()
    return run


@transaction.atomic
def _write_siasn_chunk(run, nips, masters, annuals, periodic) -> set[int]:
    now = timezone.now()
    people = {a.nip: a for a in Asn.objects.filter(nip__in=nips)}
    skps, master_data, appraisers = [], [], {}
    for nip in nips:
        master, annual, periods = masters.get(nip), annuals.get(nip), periodic.get(nip)
        problem = next((x for x in (master, annual, periods) if isinstance(x, Exception)), None)
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
        named = newest_appraiser_nip(periods or [], annual or [])
        if named and named != nip:
            appraisers[nip] = named
    joined = write_master_data(run, master_data, people)
    upsert(
        AnnualSkp,
        skps,
        ["asn", "year"],
        ["sent_to_siasn", "rating_hasil", "rating_perilaku", "predikat", "last_synced_at"],
    )
    write_siasn_appraisers(appraisers, people)
    run.save(update_fields=["updated", "unchanged", "failed", "errors", "notes"])
    return joined


def write_master_data(run: SyncRun, master_data: list, people: dict[str, Asn] | None = None) -> set[int]:
    """SIASN's master data (from its API or its CSV export) onto the ASN it names.

    An empty value in SIASN never erases what the portal has; NIPs the portal
    does not know yet are listed for BKPSDM; a jenisPegawaiNama that is neither
    PNS nor PPPK keeps what was known and is listed. SIASN knowing someone adds
    an appraiser known only from a BKN row to the population: returns the OPD
    ids where that happened (their rollup must be refreshed).
    """
    if people is None:
        people = {a.nip: a for a in Asn.objects.filter(nip__in=[m.nip for m in master_data])}
    now = timezone.now()
    changed, joined = [], set()
    for data in master_data:
        asn = people.get(data.nip)
        if asn is None:
            run.notes.append(
                _("NIP %(nip)s is not in the portal yet (sync or import a Laporan SKP first).") % {"nip": data.nip}
            )
            continue
        if data.kind is None:
            run.notes.append(
                _("NIP %(nip)s: SIASN's jenisPegawaiNama %(word)r is neither PNS nor PPPK; kept %(kind)s.")
                % {"nip": data.nip, "word": data.kind_word, "kind": asn.kind.upper()}
            )
        if asn.known_only_as_appraiser:
            joined.add(asn.opd_id)
        new = (
            data.nama or asn.nama,
            data.email or asn.email,
            data.phone or asn.phone,
            data.kind or asn.kind,
            data.pns_id or asn.siasn_pns_id,
            False,
        )
        if (asn.nama, asn.email, asn.phone, asn.kind, asn.siasn_pns_id, asn.known_only_as_appraiser) != new:
            asn.nama, asn.email, asn.phone, asn.kind, asn.siasn_pns_id, asn.known_only_as_appraiser = new
            asn.last_synced_at = now
            changed.append(asn)
            run.updated += 1
        else:
            run.unchanged += 1
    upsert(
        Asn,
        changed,
        ["nip"],
        ["nama", "email", "phone", "kind", "siasn_pns_id", "known_only_as_appraiser", "last_synced_at"],
    )
    record_rejected_emails(run, master_data, people)  # what SIASN holds that is not an address
    if changed:  # names show on the dashboards, an appraiser's on other OPD's too
        opd_data_changed()
    return joined


@transaction.atomic
def _write_unor_tree(run: SyncRun, rows: list[dict]) -> None:
    """SIASN's unit tree: each OPD's and unit's SIASN id, parent and head (by PNS id).

    Matched by SIASN's id once known (a renamed unit is not a new one), by name
    until then. Master data runs before this in a first sync, so heads resolve
    on the second; units the portal does not know are created and listed.
    """
    by_id = {str(_get(r, "Id")): r for r in rows if _get(r, "Id")}
    children: dict[str | None, list] = {}
    for row in by_id.values():
        children.setdefault(str(_get(row, "DiatasanId")) if _get(row, "DiatasanId") else None, []).append(row)
    heads = dict(Asn.objects.exclude(siasn_pns_id="").values_list("siasn_pns_id", "pk"))
    places = Places(run)
    for root in children.get(None, []):
        for opd_row in children.get(str(_get(root, "Id")), []):
            opd_id = str(_get(opd_row, "Id"))
            opd = places.opd(_get(opd_row, "NamaUnor"), opd_id)
            if opd is None:
                continue
            head = heads.get(str(_get(opd_row, "PemimpinPnsId") or ""))
            if (opd.siasn_unor_id, opd.head_id) != (opd_id, head or opd.head_id):
                opd.siasn_unor_id, opd.head_id = opd_id, head or opd.head_id
                opd.save(update_fields=["siasn_unor_id", "head"])
            stack = [(row, None) for row in children.get(opd_id, [])]
            while stack:
                row, parent = stack.pop()
                unit = places.unit(opd, _get(row, "NamaUnor"), str(_get(row, "Id")))
                if unit is None:
                    continue
                head = heads.get(str(_get(row, "PemimpinPnsId") or ""))
                wanted = (str(_get(row, "Id")), parent.pk if parent else None, head or unit.head_id)
                if (unit.siasn_unor_id, unit.parent_id, unit.head_id) != wanted:
                    unit.siasn_unor_id, unit.parent_id, unit.head_id = wanted
                    unit.save(update_fields=["siasn_unor_id", "parent", "head"])
                stack.extend((child, unit) for child in children.get(str(_get(row, "Id")), []))
