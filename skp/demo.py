"""Demo data: the regency's 46 OPD with units, about 8,000 ASN and 12 months of what BKN would send.

DemoBuilder makes up what e-Kinerja and SIASN would hold (people, units and
their heads, plans, periodic evaluations rated or waiting for the appraiser);
the simulator serves it in BKN's shapes and seed_demo syncs it through the real
sync code, so the demo's appraisers and stages come from where real data's do.
Deterministic for a given seed (and day): a second run changes nothing.
"""

import csv
import datetime as dt
import itertools
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from auditlog.context import disable_auditlog
from django.db import transaction

from opd.models import Asn, Opd, Unit, User
from opd.services import data_changes_batched
from skp import rules
from skp.models import AnnualSkp, Exemption, MonthlyRecord, Period, SyncRun
from skp.rollup import refresh_rollup

OPD_CSV = Path(__file__).resolve().parent.parent / "opd" / "data" / "kapuas_opd.csv"
DEMO_PASSWORD = "kinerja-demo"  # noqa: S105  (printed for the demo; never a real account)

MALE = [
    "Ahmad",
    "Muhammad",
    "Rahmat",
    "Agus",
    "Budi",
    "Hendra",
    "Joko",
    "Teguh",
    "Wahyu",
    "Rusdi",
    "Dedi",
    "Riduan",
    "Samsul",
    "Usup",
    "Yusran",
    "Gusti",
    "Fajar",
    "Ilham",
    "Rudi",
    "Arbiansyah",
    "Syahrani",
    "Darmawan",
    "Bambang",
    "Hairil",
    "Kurniadi",
]
FEMALE = [
    "Siti",
    "Nur",
    "Yuliani",
    "Dewi",
    "Eka",
    "Fitri",
    "Indah",
    "Kartini",
    "Lestari",
    "Maria",
    "Nanda",
    "Putri",
    "Rina",
    "Sri",
    "Yanti",
    "Helda",
    "Lilis",
    "Marlina",
    "Norhayati",
    "Wulan",
    "Rosita",
    "Aulia",
    "Herlina",
    "Mahdalena",
    "Januarti",
]
LAST = [
    "Saputra",
    "Hidayat",
    "Rahman",
    "Nugroho",
    "Wijaya",
    "Anggraini",
    "Pratama",
    "Santoso",
    "Kurniawan",
    "Setiawan",
    "Kusuma",
    "Nahan",
    "Tundan",
    "Bungai",
    "Dinata",
    "Ramadhani",
    "Safitri",
    "Fauzi",
    "Maulana",
    "Syahputra",
    "Arifin",
    "Hakim",
    "Halim",
    "Tambun",
    "Usop",
]
PLACES = [
    "Selat",
    "Kapuas Hilir",
    "Kapuas Barat",
    "Basarang",
    "Kapuas Timur",
    "Pulau Petak",
    "Kapuas Kuala",
    "Mantangai",
    "Kapuas Murung",
    "Bataguh",
    "Tamban Catur",
    "Dadahup",
    "Kapuas Tengah",
    "Timpah",
    "Kapuas Hulu",
    "Pasak Talawang",
    "Mandau Talawang",
]
KELURAHAN = {
    "KEC-SELAT": ["Selat Hilir", "Selat Tengah", "Selat Hulu", "Selat Dalam", "Selat Barat", "Murung Keramat"],
    "KEC-KAPUAS-HILIR": ["Mambulau", "Barimba", "Hampatung"],
    "KEC-KAPUAS-BARAT": ["Mandomai"],
    "KEC-KAPUAS-MURUNG": ["Palingkau Lama"],
    "KEC-KAPUAS-HULU": ["Sei Hanyo"],
    "KEC-KAPUAS-TENGAH": ["Pujon"],
}
BIDANG = ["Perencanaan dan Pelaporan", "Pelayanan", "Pengembangan", "Pengendalian dan Evaluasi"]
PELAKSANA = ["Penata Layanan Operasional", "Pengelola Layanan Operasional", "Operator Layanan Operasional"]
FUNGSIONAL = [
    "Analis Kebijakan Ahli Muda",
    "Perencana Ahli Pertama",
    "Pranata Komputer Ahli Pertama",
    "Arsiparis Terampil",
    "Analis SDM Aparatur Ahli Pertama",
]
NAKES = [
    "Perawat Terampil",
    "Perawat Ahli Pertama",
    "Bidan Terampil",
    "Bidan Ahli Pertama",
    "Dokter Ahli Pertama",
    "Pranata Laboratorium Kesehatan Terampil",
    "Nutrisionis Terampil",
    "Apoteker Ahli Pertama",
]
GURU = ["Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya"]
RATING_PAIRS = [
    ((2, 2), 70),
    ((1, 1), 10),
    ((1, 2), 8),
    ((2, 1), 7),
    ((3, 2), 2),
    ((2, 3), 1),
    ((3, 3), 1),
    ((1, 3), 0.5),
    ((3, 1), 0.5),
]


@dataclass
class PlannedUnit:
    nama: str
    head_title: str
    weight: float
    parent: str | None = None
    staff_kind: str = "umum"  # umum, guru, nakes


@dataclass
class Move:
    """A transfer during month `key`: until `day` the ASN sat in `opd`/`unit`, appraised by `atasan_nip`."""

    key: tuple[int, int]
    day: dt.date
    opd: str
    unit: str | None
    atasan_nip: str | None


@dataclass
class PlannedAsn:
    nip: str
    nama: str
    kind: str
    jabatan: str
    jenis_jabatan: str
    opd: str
    unit: str | None
    atasan_nip: str | None = None  # today's appraiser (a unit head, or the acting head of a vacant unit)
    email: str = ""
    kind_name: str = "PNS"  # SIASN's jenisPegawaiNama: PNS, PPPK or "PPPK Paruh Waktu"
    golru: str = ""
    start: tuple[int, int] | None = None  # service starts in this month (a new appointment)
    moved: Move | None = None


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """One annual SKP plan as e-Kinerja's Laporan SKP lists it."""

    skp_id: str
    nip: str
    year: int
    opd: str
    unit: str | None
    jabatan: str
    awal: dt.date
    akhir: dt.date
    approved: bool
    acting: bool = False


@dataclass(frozen=True, slots=True)
class DemoRow:
    """One periodic evaluation as e-Kinerja holds it at the builder's `now`: rated, or filed and unrated."""

    nip: str
    key: tuple[int, int]
    plan: DemoPlan
    atasan_nip: str | None
    rated_at: dt.datetime | None = None
    hasil: int | None = None
    perilaku: int | None = None
    predikat: str | None = None

    @property
    def stage(self) -> str:
        return rules.RATED if self.rated_at else rules.SUBMITTED


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    runs: list = field(default_factory=list)


def _rng(seed: int, nip: str, *more: int) -> random.Random:
    """A stream of its own per person, so one person's history does not depend on who else is built."""
    value = seed * 1_000_003 + int(nip)
    for part in more:
        value = value * 1_000_033 + part
    return random.Random(value)


PAIRS = [p for p, _ in RATING_PAIRS]
PAIR_WEIGHTS = list(itertools.accumulate(w for _, w in RATING_PAIRS))


class DemoBuilder:
    """What BKN would hold for a regency like Kapuas: people, units, plans and periodic evaluations.

    It writes nothing: the simulator serves it in BKN's shapes and seed_demo
    brings it in through the sync code, which derives appraisers and stages.
    """

    def __init__(
        self,
        *,
        asn_count: int,
        seed: int,
        periods: list[tuple[int, int]],
        now: dt.datetime,
        rated_transfers: bool = False,
    ):
        self.rng = random.Random(seed)
        self.rated_transfers = rated_transfers  # both posts of a transfer rated in its month (Shapes)
        self.seed = seed
        self.asn_count = asn_count
        self.periods = sorted(periods)
        self.now = now
        self.nips: set[str] = set()
        self.opds = list(csv.DictReader(OPD_CSV.open(encoding="utf-8")))
        self.units: dict[str, list[PlannedUnit]] = {}
        self.asn: list[PlannedAsn] = []
        self._index: dict[str, PlannedAsn] = {}
        self.opd_heads: dict[str, str] = {}
        self.unit_heads: dict[tuple[str, str], str] = {}  # filled posts only
        self.acting_heads: dict[tuple[str, str], str] = {}  # a vacant unit's Plt (another unit's head)
        self.rows: list[DemoRow] = []
        self.exemptions: list[tuple[str, str, dt.date, dt.date]] = []  # (nip, kind, start, end)
        self.plans: dict[str, list[DemoPlan]] = {}  # by NIP, every year

    # -- people -----------------------------------------------------------------
    def nip(self, kind: str, senior: bool = False, part_time: bool = False) -> tuple[str, str]:
        rng = self.rng
        while True:
            gender = rng.choice("12")
            if senior:  # heads of OPD and units: born 1966-1979
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(5000))
                middle = f"{birth.year + rng.randint(23, 27)}{rng.randint(1, 12):02d}"
            elif kind == "pppk":
                birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(9000))
                # NI PPPK: appointment year, then an agreement counter that may pass 12.
                middle = f"{2025 if part_time else rng.randint(2021, 2024)}{rng.randint(1, 60):02d}"
            else:
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(12000))
                middle = f"{min(birth.year + rng.randint(22, 32), 2024)}{rng.randint(1, 12):02d}"
            nip = f"{birth:%Y%m%d}{middle}{gender}{rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip, gender

    def person(
        self, *, kind: str, jabatan: str, jenis_jabatan: str, opd: str, unit: str | None, senior: bool = False
    ) -> PlannedAsn:
        part_time = kind == "pppk" and self.rng.random() < 0.3  # PPPK Paruh Waktu, appointed in 2025
        nip, gender = self.nip(kind, senior, part_time)
        first = self.rng.choice(MALE if gender == "1" else FEMALE)
        last = self.rng.choice(LAST)
        gelar = (
            ", S.Pd."
            if jabatan.startswith("Guru")
            else self.rng.choice(["", ", S.E.", ", S.Sos.", ", S.H.", ", S.Kom.", ""])
        )
        planned = PlannedAsn(
            nip=nip,
            nama=f"{first} {last}{gelar}",
            kind=kind,
            jabatan=jabatan,
            jenis_jabatan=jenis_jabatan,
            opd=opd,
            unit=unit,
            email=f"{first}.{last}.{nip[-4:]}@demo.kapuaskab.go.id".lower(),
            kind_name="PPPK Paruh Waktu" if part_time else kind.upper(),
            golru=(
                "IX"
                if kind == "pppk"
                else self.rng.choice(["IV/a", "IV/b"] if senior else ["II/c", "III/a", "III/b", "III/c"])
            ),
        )
        self.asn.append(planned)
        self._index[nip] = planned
        return planned

    # -- structure --------------------------------------------------------------
    def plan_units(self, row: dict, size: int) -> list[PlannedUnit]:
        kode, kind = row["kode"], row["jenis"]
        if kode == "DISDIK":
            teachers = int(size * 0.92)
            schools = max(2, teachers // 13)
            sd = max(1, int(schools * 0.75))
            units = [
                PlannedUnit("Sekretariat", "Sekretaris Dinas", 3),
                PlannedUnit("Bidang Pembinaan Sekolah Dasar", "Kepala Bidang", 2),
                PlannedUnit("Bidang Pembinaan Sekolah Menengah Pertama", "Kepala Bidang", 2),
                PlannedUnit("Bidang Pendidikan Anak Usia Dini", "Kepala Bidang", 2),
            ]
            for i in range(schools):
                level, parent = (
                    ("SD", "Bidang Pembinaan Sekolah Dasar")
                    if i < sd
                    else ("SMP", "Bidang Pembinaan Sekolah Menengah Pertama")
                )
                number = i + 1 if i < sd else i - sd + 1
                place = PLACES[i % len(PLACES)]
                units.append(PlannedUnit(f"{level} Negeri {number} {place}", "Guru Ahli Madya", 13, parent, "guru"))
            return units
        if kode == "DINKES":
            units = [
                PlannedUnit("Sekretariat", "Sekretaris Dinas", 8),
                PlannedUnit("Bidang Pelayanan Kesehatan", "Kepala Bidang", 5),
                PlannedUnit("Bidang Pencegahan dan Pengendalian Penyakit", "Kepala Bidang", 5),
            ]
            for place in PLACES + ["Melati", "Pulau Telo", "Barimba", "Sei Pasah", "Lamunti", "Palingkau"]:
                units.append(PlannedUnit(f"Puskesmas {place}", "Kepala Puskesmas", 55, None, "nakes"))
            return units
        if kind == "kecamatan":
            units = [
                PlannedUnit("Sekretariat Kecamatan", "Sekretaris Camat", 3),
                PlannedUnit("Seksi Pemerintahan", "Kepala Seksi", 2),
                PlannedUnit("Seksi Pelayanan Umum", "Kepala Seksi", 2),
            ]
            units += [PlannedUnit(f"Kelurahan {k}", "Lurah", 2) for k in KELURAHAN.get(kode, [])]
            return units
        if kind == "inspektorat":
            return [PlannedUnit("Sekretariat", "Sekretaris", 2)] + [
                PlannedUnit(f"Inspektur Pembantu Wilayah {w}", "Inspektur Pembantu", 3) for w in ("I", "II", "III")
            ]
        if kode == "BKPSDM":
            names = [
                "Pengadaan, Pemberhentian dan Informasi",
                "Mutasi, Promosi dan Penilaian Kinerja",
                "Pengembangan Sumber Daya Manusia",
            ]
        elif kode == "SETDA":
            return [
                PlannedUnit(f"Bagian {b}", "Kepala Bagian", 3)
                for b in ("Umum", "Organisasi", "Hukum", "Pemerintahan", "Perekonomian", "Pengadaan Barang dan Jasa")
            ]
        else:
            names = BIDANG[: 2 if size < 60 else 4]
        return [PlannedUnit("Sekretariat", "Sekretaris", 3)] + [
            PlannedUnit(f"Bidang {n}", "Kepala Bidang", 3) for n in names
        ]

    def head_title(self, row: dict) -> str:
        special = {"SETDA": "Sekretaris Daerah", "SETWAN": "Sekretaris DPRD", "INSPEKTORAT": "Inspektur"}
        if row["kode"] in special:
            return special[row["kode"]]
        if row["jenis"] == "kecamatan":
            return "Camat " + row["nama"].removeprefix("Kecamatan ")
        return "Kepala " + row["nama"]

    def appraiser_of_unit(self, kode: str, unit: str | None) -> str | None:
        """Who appraises the staff of a unit: its head, or the Plt of a vacant unit; the OPD head above."""
        if unit is None:
            return self.opd_heads[kode]
        return self.unit_heads.get((kode, unit)) or self.acting_heads.get((kode, unit))

    def build(self) -> None:
        rng = self.rng
        total = sum(int(r["perkiraan_asn"]) for r in self.opds)
        for row in self.opds:
            kode = row["kode"]
            size = max(4, round(int(row["perkiraan_asn"]) * self.asn_count / total))
            units = self.plan_units(row, size)
            self.units[kode] = units
            head = self.person(
                kind="pns", jabatan=self.head_title(row), jenis_jabatan="struktural", opd=kode, unit=None, senior=True
            )
            self.opd_heads[kode] = head.nip
            seen_kind: dict[str, int] = {}
            for unit in units:
                seen_kind[unit.staff_kind] = seen_kind.get(unit.staff_kind, 0) + 1
                # Vacant posts are common (schools and puskesmas most): an acting head (Plt) appraises there.
                rate = {"guru": 0.12, "nakes": 0.1}.get(unit.staff_kind, 0.06)
                # (Never BKPSDM's own bidang, nor a Sekretariat: the demo logins sit there.)
                keep = kode == "BKPSDM" or unit.nama.startswith("Sekretariat")
                if seen_kind[unit.staff_kind] > 2 and not keep and rng.random() < rate:
                    continue
                is_school = unit.staff_kind == "guru"
                title = (
                    unit.head_title
                    if is_school
                    else f"{unit.head_title} {unit.nama}".replace(
                        f"{unit.head_title} {unit.head_title}", unit.head_title
                    )
                )
                unit_head = self.person(
                    kind="pns",
                    jabatan=title if not is_school else "Guru Ahli Madya",
                    jenis_jabatan="fungsional" if is_school else "struktural",
                    opd=kode,
                    unit=unit.nama,
                    senior=True,
                )
                self.unit_heads[(kode, unit.nama)] = unit_head.nip
            for unit in units:
                if (kode, unit.nama) not in self.unit_heads:
                    self.acting_heads[(kode, unit.nama)] = self._acting_head(kode, units, unit)
            for unit in units:
                head_nip = self.unit_heads.get((kode, unit.nama))
                if head_nip:
                    above = self.appraiser_of_unit(kode, unit.parent) if unit.parent else head.nip
                    self._by_nip(head_nip).atasan_nip = above if above != head_nip else head.nip
            weights = [u.weight for u in units]
            for _ in range(max(0, size - 1 - len(units))):
                unit = rng.choices(units, weights)[0]
                if unit.staff_kind == "guru":
                    kind = "pppk" if rng.random() < 0.3 else "pns"
                    jabatan, jenis_jabatan = rng.choice(GURU) if kind == "pns" else "Guru Ahli Pertama", "fungsional"
                elif unit.staff_kind == "nakes":
                    kind = "pppk" if rng.random() < 0.2 else "pns"
                    jabatan, jenis_jabatan = rng.choice(NAKES), "fungsional"
                else:
                    kind = "pppk" if rng.random() < 0.08 else "pns"
                    if rng.random() < 0.3:
                        jabatan, jenis_jabatan = rng.choice(FUNGSIONAL), "fungsional"
                    else:
                        jabatan, jenis_jabatan = rng.choice(PELAKSANA), "pelaksana"
                staff = self.person(kind=kind, jabatan=jabatan, jenis_jabatan=jenis_jabatan, opd=kode, unit=unit.nama)
                staff.atasan_nip = self.appraiser_of_unit(kode, unit.nama)
        sekda = self.opd_heads["SETDA"]
        for nip in self.opd_heads.values():
            if nip != sekda:
                self._by_nip(nip).atasan_nip = sekda
        self._starts_and_moves()
        self.build_history()

    def _by_nip(self, nip: str) -> PlannedAsn:
        return self._index[nip]

    def _acting_head(self, kode: str, units: list[PlannedUnit], vacant: PlannedUnit) -> str:
        """The Plt of a vacant unit: the head of the nearest sibling of the same kind (a school head
        holding two schools), else of the parent unit, else the OPD head."""
        before = units[: units.index(vacant)]
        for other in [*reversed(before), *units[len(before) :]]:  # the nearest sibling first
            same_kind = other.staff_kind == vacant.staff_kind and other.parent == vacant.parent
            if same_kind and (kode, other.nama) in self.unit_heads:
                return self.unit_heads[(kode, other.nama)]
        if vacant.parent and (kode, vacant.parent) in self.unit_heads:
            return self.unit_heads[(kode, vacant.parent)]
        return self.opd_heads[kode]

    def _starts_and_moves(self) -> None:
        """New appointments during the months shown, and a few transfers within a month."""
        leaders = set(self.opd_heads.values()) | set(self.unit_heads.values())
        later = self.periods[1:]
        if not later:
            return
        umum = [(row["kode"], u.nama) for row in self.opds for u in self.units[row["kode"]] if u.staff_kind == "umum"]
        for p in self.asn:
            if p.nip in leaders:
                continue
            rng = _rng(self.seed, p.nip, 1)
            if rng.random() < (0.06 if p.kind == "pppk" else 0.01):
                p.start = rng.choice(later)
            elif rng.random() < 0.004:
                key = rng.choice(later)
                day = dt.date(*key, rng.randint(5, 24))
                if p.unit and self.units and rng.random() < 0.6:
                    same = [u.nama for u in self.units[p.opd] if u.staff_kind == self._kind_of(p) and u.nama != p.unit]
                    target = (p.opd, rng.choice(same)) if same else None
                else:
                    target = rng.choice(umum) if self._kind_of(p) == "umum" else None
                if target is None or target == (p.opd, p.unit):
                    continue
                p.moved = Move(key=key, day=day, opd=p.opd, unit=p.unit, atasan_nip=p.atasan_nip)
                p.opd, p.unit = target
                p.atasan_nip = self.appraiser_of_unit(*target)

    def _kind_of(self, p: PlannedAsn) -> str:
        return next((u.staff_kind for u in self.units[p.opd] if u.nama == p.unit), "umum")

    # -- plans and periodic evaluations -------------------------------------------
    def build_history(self) -> None:
        """Exemptions, the year's SKP plans and the periodic evaluations e-Kinerja holds at `now`."""
        rng = self.rng
        periods = [Period.build(y, m) for y, m in self.periods]
        self._timing = {}
        for x in periods:
            # Filing opens on the month's last day; the deadline is the Kapuas rule's.
            opened = dt.datetime(x.end_date.year, x.end_date.month, x.end_date.day, 8, tzinfo=rules.WIB)
            self._timing[(x.year, x.month)] = (x.deadline, opened, (x.deadline - opened).total_seconds())
        discipline = {row["kode"]: rng.uniform(0.55, 0.97) for row in self.opds}
        first_day = dt.date(*self.periods[0], 1)
        years = sorted({y for y, _ in self.periods} | {self.now.year})
        for p in self.asn:
            prng = _rng(self.seed, p.nip)
            exempt_months: set = set()
            if prng.random() < 0.02:
                kind = prng.choice(["cuti_besar", "tugas_belajar", "cuti_melahirkan", "cltn"])
                start = first_day + dt.timedelta(days=prng.randrange(330))
                end = start + dt.timedelta(days={"tugas_belajar": 365, "cltn": 180}.get(kind, 90))
                self.exemptions.append((p.nip, kind, start, end))
                exempt_months = {(x.year, x.month) for x in periods if x.start_date <= end and x.end_date >= start}
            plans = self._plans_of(p, years, prng)
            diligence = min(0.99, max(0.2, prng.gauss(discipline[p.opd], 0.12)))
            for period in periods:
                key = (period.year, period.month)
                if key in exempt_months or (p.start and key < p.start):
                    continue
                self.rows.extend(self._rows_for(p, period, plans, diligence, prng))
        for (kode, unit), plt in self.acting_heads.items():
            # The acting head's extra plan: not their own SKP (the sync drops it).
            for year in years:
                self.plans[plt].append(
                    DemoPlan(
                        skp_id=_uuid(self.seed, "plt", plt, kode, unit, year),
                        nip=plt,
                        year=year,
                        opd=kode,
                        unit=unit,
                        jabatan=f"Plt. {self._head_title_of(kode, unit)}",
                        awal=dt.date(year, 1, 1),
                        akhir=dt.date(year, 12, 31),
                        approved=True,
                        acting=True,
                    )
                )

    def _head_title_of(self, kode: str, unit: str) -> str:
        planned = next(u for u in self.units[kode] if u.nama == unit)
        return f"Kepala {unit}" if planned.staff_kind == "guru" else f"{planned.head_title} {unit}"

    def _plans_of(self, p: PlannedAsn, years: list[int], prng: random.Random) -> list[DemoPlan]:
        plans = []
        for year in years:
            if p.start and year < p.start[0]:
                continue
            awal = dt.date(*p.start, 1) if p.start and p.start[0] == year else dt.date(year, 1, 1)
            approved = prng.random() < 0.97
            if p.moved and p.moved.key[0] == year:
                old = (p.moved.opd, p.moved.unit)
                plans.append(self._plan(p, year, old, awal, p.moved.day - dt.timedelta(days=1), approved, "old"))
                awal = p.moved.day
            elif p.moved and p.moved.key[0] > year:
                plans.append(self._plan(p, year, (p.moved.opd, p.moved.unit), awal, dt.date(year, 12, 31), approved))
                continue
            plans.append(self._plan(p, year, (p.opd, p.unit), awal, dt.date(year, 12, 31), approved))
        self.plans[p.nip] = plans
        return plans

    def _plan(self, p, year, place, awal, akhir, approved, tag="") -> DemoPlan:
        return DemoPlan(
            skp_id=_uuid(self.seed, "skp", p.nip, year, tag),
            nip=p.nip,
            year=year,
            opd=place[0],
            unit=place[1],
            jabatan=p.jabatan,
            awal=awal,
            akhir=akhir,
            approved=approved,
        )

    def _rows_for(self, p: PlannedAsn, period: Period, plans: list[DemoPlan], diligence: float, rng: random.Random):
        """The month's evaluations at `now`: none, one, or two for a transfer during the month."""
        key = (period.year, period.month)
        mine = [
            x for x in plans if x.year == period.year and x.awal <= period.end_date and x.akhir >= period.start_date
        ]
        timing = self._timing[key]
        if p.moved and p.moved.key == key and len(mine) == 2:
            old, new = sorted(mine, key=lambda x: x.akhir)
            # The old post's evaluation mostly stays unrated (the old appraiser moves on); the new one runs as usual.
            row = self._outcome(p.nip, key, timing, old, p.moved.atasan_nip, diligence * 0.3, rng)
            if row is None or (row.rated_at and not self.rated_transfers):
                row = DemoRow(p.nip, key, old, p.moved.atasan_nip)  # filed before leaving, not rated
            rows = [row]
            new_row = self._outcome(p.nip, key, timing, new, p.atasan_nip, diligence, rng)
            return rows + ([new_row] if new_row else [])
        if not mine:
            return []
        plan = max(mine, key=lambda x: x.akhir)
        atasan = p.moved.atasan_nip if p.moved and key < p.moved.key else p.atasan_nip
        row = self._outcome(p.nip, key, timing, plan, atasan, diligence, rng)
        return [row] if row else []

    def _outcome(self, nip, key, timing, plan, atasan, diligence, rng) -> DemoRow | None:
        """Filed? Rated? When? Most ratings come in a rush in the last days before the 15th."""
        deadline, opened, window = timing
        roll = rng.random()
        rated_at = filed_at = None
        if roll < diligence:
            # A quarter early, spread over the window; the rest in the rush of the last days before the 15th.
            early = rng.random() < 0.25
            before = rng.uniform(0, window) if early else min(window, rng.expovariate(1 / (2.2 * 86400)))
            rated_at = deadline - dt.timedelta(seconds=before)
        elif roll < diligence + (1 - diligence) * 0.5:
            rated_at = deadline + dt.timedelta(seconds=min(40 * 86400, 3600 + rng.expovariate(1 / (6 * 86400))))
        elif rng.random() < 0.5:  # filed, never rated: the appraiser must act
            filed_at = deadline - dt.timedelta(seconds=min(window, rng.expovariate(1 / (3 * 86400))))
        if rated_at is not None:
            filed_at = max(opened, rated_at - dt.timedelta(seconds=rng.expovariate(1 / (1.5 * 86400))))
        pair = rng.choices(PAIRS, cum_weights=PAIR_WEIGHTS)[0]
        predikat = rules.predikat_for(*pair)
        if rng.random() < 0.01:
            predikat = rules.BAIK if predikat != rules.BAIK else rules.SANGAT_BAIK  # BKN disagrees
        if rated_at is not None and rated_at <= self.now:
            return DemoRow(nip, key, plan, atasan, rated_at, pair[0], pair[1], predikat)
        if filed_at is not None and filed_at <= self.now:
            return DemoRow(nip, key, plan, atasan)
        return None  # not filed yet (or never): e-Kinerja has no row


def _uuid(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kinerja-demo:" + ":".join(str(p) for p in parts)))


class DemoSyncFailed(RuntimeError):
    """A sync of the demo's own answers did not succeed: the demo would be half-built, so stop."""


@data_changes_batched()
def seed_demo(
    *,
    asn_count: int = 8000,
    seed: int = 2025,
    year: int | None = None,
    now: dt.datetime,
    progress=None,
    shapes=None,
) -> SeedResult:
    """The demo regency, brought in the way BKN's data comes: through the sync code.

    The OPD list (opd/data/kapuas_opd.csv), the exemptions (BKPSDM enters them
    by hand) and one login per role are written here; everything BKN would
    send (people, units and their heads, plans, periodic evaluations rated or
    not) is served by the simulator and synced, so appraisers and stages come
    from the same code as on real data. A second run changes nothing.
    """
    from skp.bkn.ekinerja import EkinerjaClient
    from skp.bkn.siasn import SiasnClient
    from skp.bkn.simulator import SIASN_CREDENTIALS, TOKEN, Simulator
    from skp.bkn.sync import sync_ekinerja, sync_siasn

    today = now.astimezone(rules.WIB).date()
    if year is None:
        keys = sorted(rules.months_back(*rules.previous_period(today)))
    else:
        keys = [(year, m) for m in range(1, 13) if dt.date(year, m, 1) <= today]
    simulator = Simulator(asn_count=asn_count, seed=seed, now=now, periods=keys, shapes=shapes)
    builder = simulator.data
    result = SeedResult()
    say = progress or (lambda text: None)
    transport = httpx.WSGITransport(app=simulator)

    def check(run):
        result.runs.append(run)
        if run.status != SyncRun.Status.SUCCEEDED:
            raise DemoSyncFailed(f"{run.source} {run.period_key}: {run.status}: {run.message} {run.errors[:3]}")
        return run

    # Demo data is no one's act: the OPD list, exemptions and logins written here are not audited
    # (the syncs below write none either).
    with disable_auditlog(), transaction.atomic():
        before = Opd.objects.count()
        Opd.objects.bulk_create(
            [Opd(kode=r["kode"], nama=r["nama"], kind=r["jenis"]) for r in builder.opds], ignore_conflicts=True
        )
        result.created["opd"] = Opd.objects.count() - before
        counts = _counts()
        ekinerja = EkinerjaClient("http://bkn-simulator", TOKEN, transport=transport)
        for y, m in keys:
            run = check(sync_ekinerja(client=ekinerja, year=y, month=m, triggered_by="seed_demo"))
            say(f"e-Kinerja {run.period_key}: created {run.created}, updated {run.updated}, unchanged {run.unchanged}")
        ekinerja.close()
        siasn = SiasnClient(
            apim_url="http://bkn-simulator",
            api_url="http://bkn-simulator",
            sso_url="http://bkn-simulator",
            transport=transport,
            **SIASN_CREDENTIALS,
        )
        run = check(sync_siasn(client=siasn, triggered_by="seed_demo"))
        say(f"SIASN: updated {run.updated}, unchanged {run.unchanged}")
        if Opd.objects.filter(head__isnull=True).exists():
            # The unit tree names heads by SIASN's PNS id; where the sync read the tree before the
            # master data that brings those ids, a second run finds the heads.
            run = check(sync_siasn(client=siasn, triggered_by="seed_demo"))
            say(f"SIASN again, for the unit heads: updated {run.updated}, unchanged {run.unchanged}")
        siasn.close()
        result.created.update({name: count - counts[name] for name, count in _counts().items()})

        asn_ids = dict(Asn.objects.filter(nip__in=[p.nip for p in builder.asn]).values_list("nip", "pk"))
        existing = set(Exemption.objects.values_list("asn_id", "kind", "start"))
        new_exemptions = [
            Exemption(asn_id=asn_ids[nip], kind=kind, start=start, end=end, note="Data demo")
            for nip, kind, start, end in builder.exemptions
            if nip in asn_ids and (asn_ids[nip], kind, start) not in existing
        ]
        Exemption.objects.bulk_create(new_exemptions)
        result.created["exemption"] = len(new_exemptions)
        if any(result.created.values()):
            # Each sync refreshed its own month; new people and exemptions touch every stored month
            # (the month under way and the year's other months that BKN lists too).
            refresh_rollup()
        opd_ids = dict(Opd.objects.values_list("kode", "pk"))
        result.logins = _demo_logins(builder, opd_ids, asn_ids, result)
    return result


def _counts() -> dict[str, int]:
    return {
        "unit": Unit.objects.count(),
        "asn": Asn.objects.count(),
        "record": MonthlyRecord.objects.count(),
        "annual_skp": AnnualSkp.objects.count(),
    }


def _demo_logins(builder: DemoBuilder, opd_ids, asn_ids, result: SeedResult) -> list[tuple[str, str, str]]:
    """One login per role (and two appraisers), created once, passwords never reset."""
    Role = User.Role
    by_unit = {}
    for p in builder.asn:
        by_unit.setdefault((p.opd, p.unit), []).append(p)
    puskesmas = next(
        u.nama
        for u in builder.units["DINKES"]
        if u.nama.startswith("Puskesmas") and ("DINKES", u.nama) in builder.unit_heads
    )
    school = next(
        u.nama for u in builder.units["DISDIK"] if u.staff_kind == "guru" and ("DISDIK", u.nama) in builder.unit_heads
    )
    bkpsdm_unit = "Bidang Mutasi, Promosi dan Penilaian Kinerja"

    def staff_of(opd, unit):
        """Someone in the unit other than its head (the head when alone)."""
        head = builder.unit_heads.get((opd, unit))
        settled = [p.nip for p in by_unit.get((opd, unit), []) if p.nip != head and not p.moved and not p.start]
        return settled[0] if settled else head

    plan = [
        (staff_of("BKPSDM", bkpsdm_unit), Role.ADMIN_BKPSDM, None, "Admin BKPSDM"),
        ("bupati", Role.PIMPINAN, None, "Pimpinan (Bupati)"),
        (builder.opd_heads["BKAD"], Role.KEUANGAN, None, "Keuangan (BKAD)"),
        (builder.opd_heads["DINKES"], Role.KEPALA_OPD, "DINKES", "Kepala Dinas Kesehatan"),
        (staff_of("DINKES", "Sekretariat"), Role.OPERATOR_OPD, "DINKES", "Operator Dinas Kesehatan"),
        (builder.opd_heads["DISDIK"], Role.KEPALA_OPD, "DISDIK", "Kepala Dinas Pendidikan"),
        (builder.unit_heads[("DINKES", puskesmas)], Role.ASN, None, f"Kepala {puskesmas} (atasan)"),
        (builder.unit_heads[("DISDIK", school)], Role.ASN, None, f"Kepala {school} (atasan)"),
        (staff_of("DINKES", puskesmas), Role.ASN, None, f"ASN di {puskesmas}"),
    ]
    logins = []
    created = 0
    for username, role, opd, label in plan:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                opd_id=opd_ids[opd] if opd else None,
                asn_id=asn_ids.get(username),
                is_staff=role == Role.ADMIN_BKPSDM,
            )
            if username == "bupati":
                # No ASN record behind this login, so its own address (for the monthly summary).
                user.first_name = "Bupati Kapuas"
                user.email = "bupati@demo.kapuaskab.go.id"
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        logins.append((label, username, DEMO_PASSWORD))
    result.created["user"] = created
    return logins
