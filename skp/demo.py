"""Demo data: the regency's 46 OPD with units, about 8,000 ASN and 12 months of records.

Deterministic for a given seed (and day): every row has a natural key (OPD
code, unit name, NIP, ASN+period…) and is inserted only when missing, so a
second run changes nothing and never overwrites what a person edited.
"""

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from opd.models import Asn, Opd, Unit, User
from opd.services import data_changes_batched
from skp import rules
from skp.models import AnnualSkp, Exemption, MonthlyRecord, Period, Source
from skp.rollup import rollup_refresh

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
class PlannedAsn:
    nip: str
    nama: str
    kind: str
    jabatan: str
    jenis_jabatan: str
    opd: str
    unit: str | None
    atasan_nip: str | None = None
    email: str = ""


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)


class DemoBuilder:
    def __init__(self, *, asn_count: int, seed: int, periods: list[tuple[int, int]], now: dt.datetime):
        self.rng = random.Random(seed)
        self.asn_count = asn_count
        self.periods = periods
        self.now = now
        self.nips: set[str] = set()
        self.opds = list(csv.DictReader(OPD_CSV.open(encoding="utf-8")))
        self.units: dict[str, list[PlannedUnit]] = {}
        self.asn: list[PlannedAsn] = []
        self.opd_heads: dict[str, str] = {}
        self.unit_heads: dict[tuple[str, str], str] = {}
        # The history, keyed by NIP: what seed_demo writes and the BKN simulator serves.
        self.records: list[tuple[str, tuple[int, int], dict]] = []  # (nip, (year, month), fields)
        self.exemptions: list[tuple[str, str, dt.date, dt.date]] = []  # (nip, kind, start, end)
        self.plans: dict[tuple[str, int], bool] = {}  # (nip, year) -> plan approved

    # -- people -----------------------------------------------------------------
    def nip(self, kind: str, senior: bool = False) -> tuple[str, str]:
        rng = self.rng
        while True:
            gender = rng.choice("12")
            if senior:  # heads of OPD and units: born 1966-1979
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(5000))
                middle = f"{birth.year + rng.randint(23, 27)}{rng.randint(1, 12):02d}"
            elif kind == "pppk":
                birth = dt.date(1975, 1, 1) + dt.timedelta(days=rng.randrange(9000))
                middle = f"{rng.randint(2021, 2024)}{rng.randint(1, 60):02d}"
            else:
                birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(12000))
                middle = f"{min(birth.year + rng.randint(22, 32), 2024)}{rng.randint(1, 12):02d}"
            nip = f"{birth:%Y%m%d}{middle}{gender}{rng.randint(1, 999):03d}"
            if nip not in self.nips:
                self.nips.add(nip)
                return nip, gender

    def person(
        self, *, kind: str, jabatan: str, jenis: str, opd: str, unit: str | None, senior: bool = False
    ) -> PlannedAsn:
        nip, gender = self.nip(kind, senior)
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
            jenis_jabatan=jenis,
            opd=opd,
            unit=unit,
            email=f"{first}.{last}.{nip[-4:]}@demo.kapuaskab.go.id".lower(),
        )
        self.asn.append(planned)
        return planned

    # -- structure --------------------------------------------------------------
    def plan_units(self, row: dict, size: int) -> list[PlannedUnit]:
        kode, jenis = row["kode"], row["jenis"]
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
        if jenis == "kecamatan":
            units = [
                PlannedUnit("Sekretariat Kecamatan", "Sekretaris Camat", 3),
                PlannedUnit("Seksi Pemerintahan", "Kepala Seksi", 2),
                PlannedUnit("Seksi Pelayanan Umum", "Kepala Seksi", 2),
            ]
            units += [PlannedUnit(f"Kelurahan {k}", "Lurah", 2) for k in KELURAHAN.get(kode, [])]
            return units
        if jenis == "inspektorat":
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

    def build(self) -> None:
        rng = self.rng
        total = sum(int(r["perkiraan_asn"]) for r in self.opds)
        for row in self.opds:
            kode = row["kode"]
            size = max(4, round(int(row["perkiraan_asn"]) * self.asn_count / total))
            units = self.plan_units(row, size)
            self.units[kode] = units
            head = self.person(
                kind="pns", jabatan=self.head_title(row), jenis="struktural", opd=kode, unit=None, senior=True
            )
            self.opd_heads[kode] = head.nip
            unit_head_by_name = {}
            for unit in units:
                is_school = unit.staff_kind == "guru"
                title = (
                    unit.head_title
                    if is_school
                    else f"{unit.head_title} {unit.nama}".replace(
                        f"{unit.head_title} {unit.head_title}", unit.head_title
                    )
                )
                jenis = "fungsional" if is_school else "struktural"
                unit_head = self.person(
                    kind="pns",
                    jabatan=title if not is_school else "Guru Ahli Madya",
                    jenis=jenis,
                    opd=kode,
                    unit=unit.nama,
                    senior=True,
                )
                unit_head_by_name[unit.nama] = unit_head
                self.unit_heads[(kode, unit.nama)] = unit_head.nip
            for unit in units:
                parent_head = unit_head_by_name[unit.parent].nip if unit.parent else head.nip
                unit_head_by_name[unit.nama].atasan_nip = parent_head
            weights = [u.weight for u in units]
            for _ in range(max(0, size - 1 - len(units))):
                unit = rng.choices(units, weights)[0]
                if unit.staff_kind == "guru":
                    kind = "pppk" if rng.random() < 0.3 else "pns"
                    jabatan, jenis = rng.choice(GURU) if kind == "pns" else "Guru Ahli Pertama", "fungsional"
                elif unit.staff_kind == "nakes":
                    kind = "pppk" if rng.random() < 0.2 else "pns"
                    jabatan, jenis = rng.choice(NAKES), "fungsional"
                else:
                    kind = "pppk" if rng.random() < 0.08 else "pns"
                    if rng.random() < 0.3:
                        jabatan, jenis = rng.choice(FUNGSIONAL), "fungsional"
                    else:
                        jabatan, jenis = rng.choice(PELAKSANA), "pelaksana"
                staff = self.person(kind=kind, jabatan=jabatan, jenis=jenis, opd=kode, unit=unit.nama)
                staff.atasan_nip = self.unit_heads[(kode, unit.nama)]
        sekda = self.opd_heads["SETDA"]
        heads = set(self.opd_heads.values())
        for planned in self.asn:
            if planned.nip in heads and planned.nip != sekda:
                planned.atasan_nip = sekda
        self.build_history()

    def build_history(self) -> None:
        """Exemptions, 12 months of records and the year's SKP plans, for everyone."""
        rng = self.rng
        periods = [Period.build(y, m) for y, m in self.periods]
        discipline = {row["kode"]: rng.uniform(0.55, 0.97) for row in self.opds}
        first_day = dt.date(*self.periods[0], 1)
        for p in self.asn:
            exempt_months: set = set()
            if rng.random() < 0.02:
                kind = rng.choice(["cuti_besar", "tugas_belajar", "cuti_melahirkan", "cltn"])
                start = first_day + dt.timedelta(days=rng.randrange(330))
                end = start + dt.timedelta(days={"tugas_belajar": 365, "cltn": 180}.get(kind, 90))
                self.exemptions.append((p.nip, kind, start, end))
                exempt_months = {(x.year, x.month) for x in periods if x.start_date <= end and x.end_date >= start}
            is_guru = p.jabatan.lower().startswith("guru")
            for key, fields in self.records_for(p, discipline[p.opd], periods, exempt_months):
                # A few teachers typed in by hand: the warning sign DESIGN.md describes.
                fields["manual"] = is_guru and fields["stage"] == rules.RATED and rng.random() < 0.005
                self.records.append((p.nip, key, fields))
        for year in sorted({y for y, _ in self.periods}):
            for p in self.asn:
                self.plans[(p.nip, year)] = rng.random() < 0.97

    # -- monthly records --------------------------------------------------------
    def records_for(self, planned: PlannedAsn, discipline: float, periods: list[Period], exempt_months: set):
        rng = self.rng
        diligence = min(0.99, max(0.2, rng.gauss(discipline, 0.12)))
        for period in periods:
            if (period.year, period.month) in exempt_months:
                continue
            roll = rng.random()
            deadline = period.deadline
            opened = dt.datetime(period.end_date.year, period.end_date.month, period.end_date.day, tzinfo=rules.WIB)
            rated_at = None
            if roll < diligence:
                rated_at = opened + dt.timedelta(seconds=rng.randrange(int((deadline - opened).total_seconds())))
            elif roll < diligence + (1 - diligence) * 0.5:
                rated_at = deadline + dt.timedelta(seconds=rng.randrange(3600, 40 * 86400))
            if rated_at is not None and rated_at > self.now:
                rated_at = None  # not happened yet: still in progress
            if rated_at is None:
                if rng.random() < 0.3:
                    continue  # never opened in e-Kinerja: no record at all
                stage = rules.SUBMITTED if rng.random() < 0.4 else rules.NOT_STARTED
                yield (period.year, period.month), dict(stage=stage)
                continue
            pair = rng.choices([p for p, _ in RATING_PAIRS], [w for _, w in RATING_PAIRS])[0]
            predikat = rules.predikat_for(*pair)
            if rng.random() < 0.01:
                predikat = rules.BAIK if predikat != rules.BAIK else rules.SANGAT_BAIK  # BKN disagrees
            yield (
                (period.year, period.month),
                dict(
                    stage=rules.RATED,
                    rated_at=rated_at,
                    rating_hasil=pair[0],
                    rating_perilaku=pair[1],
                    predikat_bkn=predikat,
                ),
            )


def _insert_missing(model, objects: list, key, stored: set) -> int:
    """Insert the objects whose natural key is not stored yet; return how many.

    Filtering first (rather than only ignore_conflicts) keeps a second run
    cheap: nothing is prepared for rows that are already there.
    """
    missing = [obj for obj in objects if key(obj) not in stored]
    model.objects.bulk_create(missing, ignore_conflicts=True, batch_size=2000)
    return len(missing)


@data_changes_batched()
@transaction.atomic
def seed_demo(*, asn_count: int = 8000, seed: int = 2025, year: int | None = None, now: dt.datetime) -> SeedResult:
    """Insert the demo regency where it is missing; return what was created and the demo logins."""
    today = now.astimezone(rules.WIB).date()
    if year is None:
        keys = sorted(rules.months_back(*rules.previous_period(today)))
    else:
        keys = [(year, m) for m in range(1, 13) if dt.date(year, m, 1) <= today]
    builder = DemoBuilder(asn_count=asn_count, seed=seed, periods=keys, now=now)
    builder.build()
    result = SeedResult()

    # OPD and units.
    before = Opd.objects.count()
    Opd.objects.bulk_create(
        [Opd(kode=r["kode"], nama=r["nama"], jenis=r["jenis"]) for r in builder.opds], ignore_conflicts=True
    )
    result.created["opd"] = Opd.objects.count() - before
    opd_ids = dict(Opd.objects.values_list("kode", "pk"))
    before = Unit.objects.count()
    for level in (False, True):  # top-level units first, so children find their parent
        unit_ids = {(o, n): pk for o, n, pk in Unit.objects.values_list("opd_id", "nama", "pk")}
        Unit.objects.bulk_create(
            [
                Unit(
                    opd_id=opd_ids[kode],
                    nama=u.nama,
                    parent_id=unit_ids[(opd_ids[kode], u.parent)] if u.parent else None,
                )
                for kode, units in builder.units.items()
                for u in units
                if bool(u.parent) == level
            ],
            ignore_conflicts=True,
        )
    result.created["unit"] = Unit.objects.count() - before
    unit_ids = {(o, n): pk for o, n, pk in Unit.objects.values_list("opd_id", "nama", "pk")}

    # ASN, then who appraises whom and who heads what (filled only where empty).
    result.created["asn"] = _insert_missing(
        Asn,
        [
            Asn(
                nip=p.nip,
                nama=p.nama,
                kind=p.kind,
                jabatan=p.jabatan,
                jenis_jabatan=p.jenis_jabatan,
                opd_id=opd_ids[p.opd],
                unit_id=unit_ids[(opd_ids[p.opd], p.unit)] if p.unit else None,
                email=p.email,
            )
            for p in builder.asn
        ],
        key=lambda asn: asn.nip,
        stored=set(Asn.objects.values_list("nip", flat=True)),
    )
    asn_ids = dict(Asn.objects.values_list("nip", "pk"))
    current_atasan = dict(Asn.objects.values_list("pk", "atasan_id"))
    to_update = []
    for p in builder.asn:
        pk = asn_ids[p.nip]
        if p.atasan_nip and current_atasan.get(pk) is None:
            to_update.append(Asn(pk=pk, atasan_id=asn_ids[p.atasan_nip]))
    Asn.objects.bulk_update(to_update, ["atasan_id"], batch_size=2000)
    for kode, nip in builder.opd_heads.items():
        Opd.objects.filter(pk=opd_ids[kode], head__isnull=True).update(head_id=asn_ids[nip])
    heads = [Unit(pk=unit_ids[(opd_ids[k], n)], head_id=asn_ids[nip]) for (k, n), nip in builder.unit_heads.items()]
    empty = set(Unit.objects.filter(head__isnull=True).values_list("pk", flat=True))
    Unit.objects.bulk_update([u for u in heads if u.pk in empty], ["head_id"], batch_size=2000)

    # Periods, exemptions and monthly records.
    periods = []
    for y, m in keys:
        period = Period.objects.filter(year=y, month=m).first()
        if period is None:
            period = Period.build(y, m)
            period.save()
        periods.append(period)
    by_key = {(p.year, p.month): p for p in periods}
    planned_by_nip = {p.nip: p for p in builder.asn}
    synced = dt.datetime.combine(today, dt.time(6, 0), tzinfo=rules.WIB)
    existing_exemptions = set(Exemption.objects.values_list("asn_id", "kind", "start"))
    new_exemptions = [
        Exemption(asn_id=asn_ids[nip], kind=kind, start=start, end=end, note="Data demo")
        for nip, kind, start, end in builder.exemptions
        if (asn_ids[nip], kind, start) not in existing_exemptions
    ]
    Exemption.objects.bulk_create(new_exemptions)
    result.created["exemption"] = len(new_exemptions)

    def record(nip, key, fields):
        p = planned_by_nip[nip]
        fields = dict(fields)
        manual = fields.pop("manual")
        return MonthlyRecord(
            asn_id=asn_ids[nip],
            period=by_key[key],
            opd_id=opd_ids[p.opd],
            unit_id=unit_ids[(opd_ids[p.opd], p.unit)] if p.unit else None,
            atasan_id=asn_ids.get(p.atasan_nip) if p.atasan_nip else None,
            source=Source.MANUAL if manual else Source.DEMO,
            edited_by_hand=manual,
            last_synced_at=synced,
            **fields,
        )

    stored = set(MonthlyRecord.objects.filter(period__in=periods).values_list("asn_id", "period_id"))
    result.created["record"] = _insert_missing(
        MonthlyRecord,
        [
            record(nip, key, fields)
            for nip, key, fields in builder.records
            if (asn_ids[nip], by_key[key].pk) not in stored
        ],
        key=lambda r: (r.asn_id, r.period_id),
        stored=stored,
    )

    # Annual SKP plans: a few ASN without an approved plan, the worst case.
    result.created["annual_skp"] = _insert_missing(
        AnnualSkp,
        [
            AnnualSkp(
                asn_id=asn_ids[nip],
                year=year,
                source=Source.DEMO,
                last_synced_at=synced,
                plan_status="persetujuan" if approved else "draft",
                plan_approved=approved,
            )
            for (nip, year), approved in builder.plans.items()
        ],
        key=lambda skp: (skp.asn_id, skp.year),
        stored=set(AnnualSkp.objects.values_list("asn_id", "year")),
    )
    result.logins = _demo_logins(builder, opd_ids, asn_ids, result)
    if any(result.created.values()):
        rollup_refresh(periods=periods)
    return result


def _demo_logins(builder: DemoBuilder, opd_ids, asn_ids, result: SeedResult) -> list[tuple[str, str, str]]:
    """One login per role (and two appraisers), created once, passwords never reset."""
    Role = User.Role
    by_unit = {}
    for p in builder.asn:
        by_unit.setdefault((p.opd, p.unit), []).append(p)
    puskesmas = next(u.nama for u in builder.units["DINKES"] if u.nama.startswith("Puskesmas"))
    school = next(u.nama for u in builder.units["DISDIK"] if u.staff_kind == "guru")
    bkpsdm_unit = "Bidang Mutasi, Promosi dan Penilaian Kinerja"

    def staff_of(opd, unit):
        """Someone in the unit other than its head (the head when alone)."""
        head = builder.unit_heads[(opd, unit)]
        return next((p.nip for p in by_unit[(opd, unit)] if p.nip != head), head)

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
