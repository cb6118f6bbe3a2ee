"""Who appraises whom, in DESIGN.md's order: e-Kinerja's rows, then SIASN, then the unit head.

A person's choice in the admin panel (`manual`) is never undone by any of these.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opd.models import Asn, Opd, Unit
from opd.nip import validate_nip
from opd.services import opd_data_changed

from ..models import Period
from .bulk import CHUNK, upsert
from .ekinerja import Penilaian
from .places import Places


def ensure_appraisers(rows: list[Penilaian], places: Places) -> dict[str, int]:
    """NIP → id of every appraiser the rows name; unknown ones are created from what the row says.

    Such a person is not expected to file (known_only_as_appraiser) until a
    plan, SIASN or BKPSDM adds them; BKPSDM finds them in the run's notes.
    """
    named: dict[str, Penilaian] = {}
    for row in rows:
        if not row.atasan_nip or row.atasan_nip == row.nip:
            continue
        try:
            nip = validate_nip(row.atasan_nip).nip
        except ValidationError as error:
            places.note(
                _("NIP %(nip)s: the appraiser's NIP %(atasan)s is not valid (%(error)s); no appraiser taken.")
                % {"nip": row.nip, "atasan": row.atasan_nip, "error": error.messages[0]}
            )
            continue
        named.setdefault(nip, row)
    known: dict[str, int] = {}
    nips = list(named)
    for start in range(0, len(nips), CHUNK):
        known.update(Asn.objects.filter(nip__in=nips[start : start + CHUNK]).values_list("nip", "pk"))
    for nip, row in named.items():
        if nip in known:
            continue
        opd, unit = places.by_unor_id(row.atasan_unor_id)
        if opd is None:
            opd = places.opd(row.unor_induk)  # the row names the appraiser's unit, not their OPD
            unit = places.unit(opd, row.atasan_unor, row.atasan_unor_id) if row.atasan_unor else None
        asn = Asn.objects.create(
            nip=nip,
            nama=row.atasan_nama or nip,
            jabatan=row.atasan_jabatan or "",
            opd=opd,
            unit=unit,
            known_only_as_appraiser=True,
        )
        known[nip] = asn.pk
        places.note(
            _(
                "New appraiser from BKN: %(nama)s (%(nip)s), %(opd)s; not expected to file until an SKP plan, "
                "SIASN or BKPSDM adds them."
            )
            % {"nama": asn.nama, "nip": nip, "opd": opd.kode}
        )
    return known


def newest_from_ekinerja(asn: Asn, atasan_id: int, period: Period) -> bool:
    """Make `atasan_id` the ASN's current appraiser when this month is the newest that named one.

    A person's override (manual) is never undone by a sync.
    """
    if asn.atasan_source == Asn.AtasanSource.MANUAL:
        return False
    if asn.atasan_as_of and asn.atasan_source == Asn.AtasanSource.EKINERJA and asn.atasan_as_of > period.start_date:
        return False
    wanted = (atasan_id, Asn.AtasanSource.EKINERJA, period.start_date)
    if (asn.atasan_id, asn.atasan_source, asn.atasan_as_of) == wanted:
        return False
    asn.atasan_id, asn.atasan_source, asn.atasan_as_of = wanted
    return True


def write_siasn_appraisers(appraisers: dict[str, str], people: dict[str, Asn] | None = None) -> int:
    """SIASN's appraiser for ASN whose appraiser e-Kinerja has not named (nor a person set).

    Only appraisers the portal knows are taken; returns how many ASN changed.
    """
    if people is None:
        people = {a.nip: a for a in Asn.objects.filter(nip__in=list(appraisers))}
    known = dict(Asn.objects.filter(nip__in=set(appraisers.values())).values_list("nip", "pk"))
    changed = []
    for nip, atasan_nip in appraisers.items():
        asn, atasan_id = people.get(nip), known.get(atasan_nip)
        if asn is None or atasan_id is None or asn.pk == atasan_id:
            continue
        if asn.atasan_source in (Asn.AtasanSource.EKINERJA, Asn.AtasanSource.MANUAL):
            continue  # e-Kinerja's rows come first; a person's override is never undone
        if (asn.atasan_id, asn.atasan_source) != (atasan_id, Asn.AtasanSource.SIASN):
            asn.atasan_id, asn.atasan_source, asn.atasan_as_of = atasan_id, Asn.AtasanSource.SIASN, None
            changed.append(asn)
    upsert(Asn, changed, ["nip"], ["atasan", "atasan_source", "atasan_as_of"])
    return len(changed)


def fill_from_unit_heads() -> int:
    """The last resort of DESIGN.md's order: the head of the ASN's unit, climbing to the OPD's head.

    For ASN with no appraiser, or whose appraiser came from this rule before
    (heads change); never the person themself. Returns how many changed.
    """
    units = {u.pk: u for u in Unit.objects.only("pk", "parent_id", "head_id", "opd_id")}
    opd_heads = dict(Opd.objects.values_list("pk", "head_id"))
    candidates = Asn.objects.filter(atasan__isnull=True).exclude(atasan_source=Asn.AtasanSource.MANUAL)
    candidates = candidates | Asn.objects.filter(atasan_source=Asn.AtasanSource.UNIT_HEAD)
    changed = []
    for asn in candidates:
        head, unit_id, seen = None, asn.unit_id, set()
        while unit_id and unit_id not in seen and head is None:
            seen.add(unit_id)
            unit = units.get(unit_id)
            if unit is None:
                break
            if unit.head_id and unit.head_id != asn.pk:
                head = unit.head_id
            unit_id = unit.parent_id
        if head is None and opd_heads.get(asn.opd_id) != asn.pk:
            head = opd_heads.get(asn.opd_id)
        source = Asn.AtasanSource.UNIT_HEAD if head else ""
        if (asn.atasan_id, asn.atasan_source) != (head, source):
            asn.atasan_id, asn.atasan_source, asn.atasan_as_of = head, source, None
            changed.append(asn)
    upsert(Asn, changed, ["nip"], ["atasan", "atasan_source", "atasan_as_of"])
    if changed:
        opd_data_changed()
    return len(changed)
