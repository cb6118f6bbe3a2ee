"""OPD and units as BKN names them: matched by BKN's unor id once known, by name until then."""

import re
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from opd.models import Opd, Unit

from ..models import SyncRun


@dataclass
class Places:
    """OPD and units by BKN id or name, created when BKN names one the portal does not know yet.

    Once a unit's id is known the id decides (names are shown, not matched):
    a unit BKN renamed keeps its records and takes the new name. It also
    collects the OPD whose population a run changed (`population_opd_ids`),
    so the rollup of every stored period can be refreshed for them.
    """

    run: SyncRun

    def __post_init__(self):
        self.created = 0
        self.population_opd_ids: set[int] = set()
        self.opds = {o.nama.lower(): o for o in Opd.objects.all()}
        self.opds_by_id = {o.siasn_unor_id: o for o in self.opds.values() if o.siasn_unor_id}
        units = list(Unit.objects.all())
        self.units = {(u.opd_id, u.nama.lower()): u for u in units}
        self.units_by_id = {u.siasn_unor_id: u for u in units if u.siasn_unor_id}

    def note(self, text: str) -> None:
        if text not in self.run.notes:
            self.run.notes.append(text)

    def opd(self, name: str | None, unor_id: str | None = None) -> Opd | None:
        found = self.opds_by_id.get(unor_id) if unor_id else None
        if found is None and name:
            found = self.opds.get(name.lower())
            if found is not None and unor_id and not found.siasn_unor_id:
                found.siasn_unor_id = unor_id
                found.save(update_fields=["siasn_unor_id"])
                self.opds_by_id[unor_id] = found
        if found is None and name:
            found = Opd.objects.create(
                kode=self._kode(name), nama=name, kind=self._kind(name), siasn_unor_id=unor_id or ""
            )
            self.opds[name.lower()] = found
            if unor_id:
                self.opds_by_id[unor_id] = found
            self.created += 1
            self.note(_("New OPD from BKN: %(name)s (%(kode)s)") % {"name": name, "kode": found.kode})
        return found

    def unit(self, opd: Opd, name: str | None, unor_id: str | None = None) -> Unit | None:
        if unor_id and unor_id == opd.siasn_unor_id:
            return None  # the OPD itself, not a unit under it
        found = self.units_by_id.get(unor_id) if unor_id else None
        if found is not None and found.opd_id != opd.pk:
            found = None  # BKN's id names a unit of another OPD: match by name within this one
            unor_id = None
        if found is not None:
            if name and found.nama != name and (opd.pk, name.lower()) not in self.units:
                self.note(
                    _("Unit renamed by BKN: %(old)s is now %(new)s (%(kode)s)")
                    % {"old": found.nama, "new": name, "kode": opd.kode}
                )
                self.units.pop((opd.pk, found.nama.lower()), None)
                found.nama = name
                found.save(update_fields=["nama"])
                self.units[(opd.pk, name.lower())] = found
            return found
        if not name or name.lower() == opd.nama.lower():
            return None
        found = self.units.get((opd.pk, name.lower()))
        if found is not None:
            if unor_id and not found.siasn_unor_id:
                found.siasn_unor_id = unor_id
                found.save(update_fields=["siasn_unor_id"])
                self.units_by_id[unor_id] = found
            return found
        found = Unit.objects.create(opd=opd, nama=name, siasn_unor_id=unor_id or "")
        self.units[(opd.pk, name.lower())] = found
        if unor_id:
            self.units_by_id[unor_id] = found
        self.created += 1
        self.note(_("New unit from BKN: %(name)s (%(kode)s)") % {"name": name, "kode": opd.kode})
        return found

    def by_unor_id(self, unor_id: str | None) -> tuple[Opd | None, Unit | None]:
        """The OPD and unit BKN's id names, when the portal knows it."""
        if not unor_id:
            return None, None
        unit = self.units_by_id.get(unor_id)
        if unit is not None:
            return next((o for o in self.opds.values() if o.pk == unit.opd_id), None), unit
        return self.opds_by_id.get(unor_id), None

    @staticmethod
    def _kode(name: str) -> str:
        base = re.sub(r"[^A-Z0-9-]", "", slugify(name).upper())[:28] or "OPD"
        kode, n = base, 1
        while Opd.objects.filter(kode=kode).exists():
            n += 1
            kode = f"{base[:25]}-{n}"
        return kode

    @staticmethod
    def _kind(name: str) -> str:
        first = name.split()[0].lower()
        return {
            "kecamatan": "kecamatan",
            "badan": "badan",
            "inspektorat": "inspektorat",
            "sekretariat": "sekretariat",
        }.get(first, "dinas")
