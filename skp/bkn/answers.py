"""What BKN would answer, built from the demo generator: e-Kinerja's and SIASN's rows in BKN's own shapes.

Rated and unrated periodic evaluations (an unrated one names its appraiser),
acting heads of vacant units, PPPK and "PPPK Paruh Waktu", transfers within a
month, period dates in several shapes and (with Shapes.uuid_periods) UUID
period ids. Plain data, no HTTP: `simulator.Simulator` serves these answers
with faults, and tests read them to know what the sync should store.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property

from skp import rules
from skp.demo import DemoBuilder, DemoRow, _uuid

WORDS = {rules.ABOVE: "DIATAS ESPEKTASI", rules.AS_EXPECTED: "SESUAI EKSPEKTASI", rules.BELOW: "DIBAWAH ESPEKTASI"}
PREDIKAT_WORDS = {
    rules.SANGAT_BAIK: "SANGAT BAIK",
    rules.BAIK: "BAIK",
    rules.BUTUH_PERBAIKAN: "BUTUH PERBAIKAN",
    rules.KURANG: "KURANG/MISCONDUCT",
    rules.SANGAT_KURANG: "SANGAT KURANG",
}
KUADRAN = {rules.SANGAT_BAIK: 1, rules.BAIK: 2, rules.BUTUH_PERBAIKAN: 3, rules.KURANG: 4, rules.SANGAT_KURANG: 5}


@dataclass(frozen=True)
class Shapes:
    """Which of BKN's harder shapes the simulator serves: every one by default, the plain ones when a test asks."""

    uuid_periods: bool = True  # even months get a UUID id, as BKN's newer periods have
    dmy_dates: bool = True  # dd-mm-yyyy among the period and plan dates
    rated_transfers: bool = True  # a transfer's old post rated too, in the same month

    @classmethod
    def every(cls) -> "Shapes":
        return cls()

    @classmethod
    def plain(cls) -> "Shapes":
        return cls(uuid_periods=False, dmy_dates=False, rated_transfers=False)


def period_id(year: int, month: int) -> int:
    return year * 100 + month


# The date shapes BKN is seen sending: ISO, ISO with a time, ISO-8601 with a zone; dd-mm-yyyy with and without time.
ISO_SHAPES = (
    lambda d, t: d.isoformat(),
    lambda d, t: f"{d.isoformat()} {t}",
    lambda d, t: f"{d.isoformat()}T{t}+07:00",
)
DMY_SHAPES = (lambda d, t: f"{d:%d-%m-%Y}", lambda d, t: f"{d:%d-%m-%Y} {t}")


class BknAnswers:
    """The answers of e-Kinerja and SIASN for `asn_count` demo ASN, deterministic for a seed."""

    def __init__(
        self,
        *,
        asn_count: int = 8000,
        seed: int = 2025,
        now: dt.datetime | None = None,
        periods: list[tuple[int, int]] | None = None,
        shapes: Shapes | None = None,
    ):
        self.asn_count, self.seed = asn_count, seed
        self.now = now or dt.datetime.now(tz=rules.WIB)
        self.shapes = shapes or Shapes()
        self._periods = periods

    @cached_property
    def data(self) -> DemoBuilder:
        keys = self._periods or rules.months_back(*rules.previous_period(self.now.astimezone(rules.WIB).date()))
        builder = DemoBuilder(
            asn_count=self.asn_count,
            seed=self.seed,
            periods=sorted(keys),
            now=self.now,
            rated_transfers=self.shapes.rated_transfers,
        )
        builder.build()
        return builder

    # -- SIASN (BKN_SOURCES.md §2) ---------------------------------------------------
    @staticmethod
    def unor_id(*names: str) -> str:
        return hashlib.md5("/".join(names).encode(), usedforsecurity=False).hexdigest()

    def pns_id(self, nip: str | None) -> str | None:
        return f"{int(nip) * 7919 % (16**32):032X}" if nip else None

    def ref_unor(self) -> list[dict]:
        """The unit tree with capitalised keys, as SIASN sends it; heads by PNS id, none for a vacant post."""
        root = self.unor_id("Pemerintah Kabupaten Kapuas")
        rows = [{"Id": root, "DiatasanId": None, "NamaUnor": "Pemerintah Kabupaten Kapuas", "NamaJabatan": None,
                 "IndukUnorId": None, "PemimpinPnsId": None}]  # fmt: skip
        for row in self.data.opds:
            opd_id = self.unor_id(row["nama"])
            head = self.pns_id(self.data.opd_heads.get(row["kode"]))
            rows.append({"Id": opd_id, "DiatasanId": root, "NamaUnor": row["nama"], "NamaJabatan": None,
                         "IndukUnorId": opd_id, "PemimpinPnsId": head})  # fmt: skip
            for unit in self.data.units.get(row["kode"], []):
                parent = self.unor_id(row["nama"], unit.parent) if unit.parent else opd_id
                head = self.pns_id(self.data.unit_heads.get((row["kode"], unit.nama)))
                rows.append({"Id": self.unor_id(row["nama"], unit.nama), "DiatasanId": parent, "NamaUnor": unit.nama,
                             "NamaJabatan": unit.head_title, "IndukUnorId": opd_id, "PemimpinPnsId": head})  # fmt: skip
        return rows

    @cached_property
    def _people(self) -> dict:
        return {p.nip: p for p in self.data.asn}

    def data_utama(self, nip: str) -> dict | None:
        p = self._people.get(nip)
        if p is None:
            return None
        nama, _, gelar = p.nama.partition(", ")
        opd_name = self._opd_names[p.opd]
        return {
            "id": self.pns_id(nip),
            "nipBaru": nip,
            "nipLama": None,
            "nama": nama,
            "gelarDepan": None,
            "gelarBelakang": gelar or None,
            "jenisPegawaiNama": p.kind_name,  # PNS, PPPK or "PPPK Paruh Waktu"
            "unorId": self.unor_id(opd_name, p.unit) if p.unit else self.unor_id(opd_name),
            "unorNama": p.unit,
            "unorIndukId": self.unor_id(opd_name),
            "unorIndukNama": opd_name,
            "jenisJabatanId": {"struktural": 1, "fungsional": 2, "pelaksana": 4}.get(p.jenis_jabatan),
            "jabatanNama": p.jabatan,
            "jabatanFungsionalNama": p.jabatan if p.jenis_jabatan == "fungsional" else None,
            "email": p.email.replace("@demo.kapuaskab.go.id", "@pribadi.demo.kapuaskab.go.id"),
            "emailGov": p.email if int(nip[-1]) % 3 else "null",
            "noHp": f"08{int(nip[-9:]) % 10**10:010d}",
            "kedudukanPnsNama": "Aktif",
            "tmtCpns": f"01-{nip[12:14]}-{nip[8:12]}" if p.kind == "pns" else None,
        }

    @cached_property
    def _plans_by_nip(self) -> dict:
        return self.data.plans

    @cached_property
    def _rows_by_nip(self) -> dict[str, list[DemoRow]]:
        by_nip: dict = {}
        for row in self.data.rows:
            by_nip.setdefault(row.nip, []).append(row)
        return by_nip

    def rw_skp22(self, nip: str) -> list | None:
        """Annual SKP results that reached SIASN: the years before this one, for approved plans."""
        if nip not in self._people:
            return None
        atasan = self._people.get(self._people[nip].atasan_nip or "")
        rows = []
        for year in sorted({x.year for x in self._plans_by_nip.get(nip, []) if not x.acting and x.approved}):
            if year < self.now.year:
                # Note BKN's own capitals: KuadranKinerjaNilai, PerilakuKerjaNilai.
                rows.append({"id": f"rw-{nip}-{year}", "tahun": year, "hasilKinerja": "SESUAI EKSPEKTASI",
                             "hasilKinerjaNilai": 2, "kuadranKinerja": "BAIK", "KuadranKinerjaNilai": 2,
                             "perilakuKerja": "SESUAI EKSPEKTASI", "PerilakuKerjaNilai": 2,
                             "nipNrpPenilai": atasan.nip if atasan else None,
                             "namaPenilai": atasan.nama if atasan else None,
                             "statusPenilai": "ASN" if atasan else "NON ASN"})  # fmt: skip
        return rows

    def rw_kinerjaperiodik(self, nip: str) -> list | None:
        """Periodic ratings that reached SIASN (a day or two after the rating), naming the appraiser.

        Most entries carry `penilaiNipNrp`; some carry `nipNrpPenilai` instead, as both are seen.
        """
        if nip not in self._people:
            return None
        reached = self.now - dt.timedelta(days=2)
        entries = []
        for row in self._rows_by_nip.get(nip, []):
            if row.rated_at is None or row.rated_at > reached or row.plan.acting:
                continue
            atasan = self._people.get(row.atasan_nip or "")
            opd_name = self._opd_names[row.plan.opd]
            year, month = row.key
            entry = {
                "id": _uuid(self.seed, "rw-periodik", nip, year, month, row.plan.skp_id),
                "tahun": year,
                "bulan": month,
                "periodikId": 1,
                "periodikNama": "Bulanan",
                "hasilKinerja": WORDS[row.hasil],
                "hasilKinerjaNilai": row.hasil,
                "perilakuKerja": WORDS[row.perilaku],
                "perilakuKerjaNilai": row.perilaku,
                "kuadranKinerjaNilai": KUADRAN[row.predikat],
                "namaPenilai": atasan.nama if atasan else None,
                "statusPenilai": "ASN" if atasan else "NON ASN",
                "unorId": self.unor_id(opd_name, row.plan.unit) if row.plan.unit else self.unor_id(opd_name),
                "unorNama": row.plan.unit or opd_name,
                "persentase": 100,
            }
            entry["nipNrpPenilai" if int(nip[-2]) % 5 == 0 else "penilaiNipNrp"] = row.atasan_nip
            entries.append(entry)
        return entries

    # -- e-Kinerja shapes (BKN_SOURCES.md §1) ---------------------------------------
    @property
    def open_period(self) -> tuple[int, int]:
        """The month under way: listed by BKN, nothing rated yet."""
        today = self.now.astimezone(rules.WIB).date()
        return today.year, today.month

    def period_ref(self, year: int, month: int) -> int | str:
        """BKN's id of a monthly period: a number, or a UUID (even months, with Shapes.uuid_periods)."""
        if self.shapes.uuid_periods and month % 2 == 0:
            return _uuid(self.seed, "periode", year, month)
        return period_id(year, month)

    @cached_property
    def _period_keys(self) -> dict[str, tuple[int, int]]:
        return {str(self.period_ref(y, m)): (y, m) for y, m in {*self.data.periods, self.open_period}}

    def _date(self, day: dt.date, time: str, n: int) -> str:
        shapes = ISO_SHAPES + (DMY_SHAPES if self.shapes.dmy_dates else ())
        return shapes[n % len(shapes)](day, time)

    def periods(self) -> list[dict]:
        rows = []
        for n, (year, month) in enumerate(sorted({*self.data.periods, self.open_period})):
            start, end = rules.period_bounds(year, month)
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            rows.append(
                {
                    "id": self.period_ref(year, month),
                    "nama": f"Periodik Bulanan {month:02d}/{year}",
                    "tahun": year,
                    "periode_awal": self._date(start, "00:00:00", n),
                    "periode_akhir": self._date(end, "23:59:59", n),
                    # BKN's own limit differs from the Kapuas rule, as in the real data.
                    "batas_pengisian": self._date(dt.date(next_year, next_month, 5), "23:59:59", n),
                    "jenis_periode": "periodik",
                    "tipe_periodik": "bulanan",
                    "angka_periodik": month,
                }
            )
        year = self.data.periods[-1][0]
        rows.append(
            {
                "id": _uuid(self.seed, "triwulan", year, 1) if self.shapes.uuid_periods else year * 100 + 90,
                "nama": f"Periodik Triwulan I {year}",
                "tahun": year,
                "periode_awal": f"{year}-01-01",
                "periode_akhir": f"{year}-03-31",
                "batas_pengisian": f"{year}-04-05",
                "jenis_periode": "periodik",
                "tipe_periodik": "triwulan",
                "angka_periodik": 1,
            }
        )
        rows.append(
            {
                "id": year * 100 + 99,
                "nama": f"Tahunan {year}",
                "tahun": year,
                "periode_awal": f"{year}-01-01",
                "periode_akhir": f"{year}-12-31",
                "batas_pengisian": f"{year + 1}-01-31",
                "jenis_periode": "tahunan",
                "tipe_periodik": None,
                "angka_periodik": None,
            }
        )
        return rows

    @cached_property
    def _opd_names(self) -> dict[str, str]:
        return {row["kode"]: row["nama"] for row in self.data.opds}

    def skp_plans(self, year: int) -> list[dict]:
        """The year's plans: a new appointment's starts with its first month, a transfer's old post ends
        the day before, an acting head (Plt) holds an extra plan that is not their own SKP."""
        rows = []
        for n, p in enumerate(self.data.asn):
            for plan in self._plans_by_nip.get(p.nip, []):
                if plan.year != year:
                    continue
                opd_name = self._opd_names[plan.opd]
                rows.append(
                    {
                        "skp_id": plan.skp_id,
                        "nip": p.nip,
                        "nama": p.nama,
                        "jabatan": plan.jabatan,
                        "unit": plan.unit,
                        "jenis_pegawai": p.kind.upper(),  # e-Kinerja says PPPK for part-timers too
                        "skp_status": "persetujuan" if plan.approved else "draft",
                        "skp_model": "2022",
                        "skp_unor": plan.unit or opd_name,
                        "skp_unor_atasan": opd_name,
                        "skp_unor_induk": opd_name,
                        "skp_jabatan": plan.jabatan,
                        "skp_jenis_jabatan": f"Jabatan {p.jenis_jabatan.title()}",
                        "periode_awal": self._date(plan.awal, "00:00:00", n)
                        if self.shapes.dmy_dates
                        else str(plan.awal),
                        "periode_akhir": self._date(plan.akhir, "23:59:59", n)
                        if self.shapes.dmy_dates
                        else str(plan.akhir),
                        "is_plt_plh": 1 if plan.acting else 0,
                    }
                )
        return rows

    @cached_property
    def _ratings_by_period(self) -> dict[tuple[int, int], list[DemoRow]]:
        """Every evaluation e-Kinerja holds, by period: rated, filed and unrated, and acting heads' own."""
        by_period: dict = {}
        for row in self.data.rows:
            by_period.setdefault(row.key, []).append(row)
        for (kode, unit), plt in self.data.acting_heads.items():
            for key in self.data.periods:
                plan = next(
                    (
                        x
                        for x in self._plans_by_nip[plt]
                        if x.acting and x.year == key[0] and (x.opd, x.unit) == (kode, unit)
                    ),
                    None,
                )
                if plan is not None:
                    by_period.setdefault(key, []).append(DemoRow(plt, key, plan, self._people[plt].atasan_nip))
        return by_period

    def penilaian(self, year: int, ref: int | str, nip: str | None = None) -> list[dict] | None:
        """laporan/penilaian/{tahun}/{periode_id}: one row per evaluation, rated or not."""
        key = self._period_keys.get(str(ref))
        if key is None or key[0] != year:
            return None
        return [self._row(r, ref) for r in self._ratings_by_period.get(key, []) if not nip or r.nip == nip]

    def ratings(self, year: int, pid: int | str, nip: str | None = None) -> list[dict] | None:
        """The rated rows of penilaian() alone."""
        rows = self.penilaian(year, pid, nip)
        return None if rows is None else [r for r in rows if r["waktu_dinilai"]]

    def _row(self, r: DemoRow, ref) -> dict:
        p, plan = self._people[r.nip], r.plan
        atasan = self._people.get(r.atasan_nip or "")
        opd_name = self._opd_names[plan.opd]
        rated = r.rated_at is not None
        unrated = "-" if int(r.nip[-1]) % 2 else ""  # e-Kinerja writes both
        acting_for = atasan and self.data.acting_heads.get((plan.opd, plan.unit)) == atasan.nip
        return {
            "id": _uuid(self.seed, "penilaian", r.nip, *r.key, plan.skp_id),
            "jenis": "BULANAN",
            "nip": r.nip,
            "nama": p.nama,
            "periode_awal_skp": str(plan.awal),
            "periode_akhir_skp": str(plan.akhir),
            "skp_unor_id": self.unor_id(opd_name, plan.unit) if plan.unit else self.unor_id(opd_name),
            "skp_unor": plan.unit or opd_name,
            "skp_unor_induk": opd_name,
            "skp_jabatan": plan.jabatan,
            "skp_jenis_jabatan": f"Jabatan {p.jenis_jabatan.title()}",
            "is_skp_plt_plh_pjb": 1 if plan.acting else 0,
            "hasil_kerja": WORDS[r.hasil] if rated else unrated,
            "perilaku_kerja": WORDS[r.perilaku] if rated else unrated,
            "hasil_akhir": PREDIKAT_WORDS[r.predikat] if rated else unrated,
            "pegawai_atasan_id": self.pns_id(r.atasan_nip),
            "pegawai_atasan_nip": r.atasan_nip,
            "pegawai_atasan_nama": atasan.nama if atasan else None,
            "pegawai_atasan_unor_id": self.unor_id(self._opd_names[atasan.opd], *([atasan.unit] if atasan.unit else []))
            if atasan
            else None,
            "pegawai_atasan_unor": (atasan.unit or self._opd_names[atasan.opd]) if atasan else None,
            # A vacant post's acting head (Plt) signs as such.
            "pegawai_atasan_jabatan": (
                f"Plt. {self.data._head_title_of(plan.opd, plan.unit)}" if acting_for else atasan.jabatan
            )
            if atasan
            else None,
            "pegawai_atasan_golru": atasan.golru if atasan else None,
            # e-Kinerja writes WIB wall-clock time without a zone.
            "waktu_dinilai": r.rated_at.astimezone(rules.WIB).strftime("%Y-%m-%d %H:%M:%S") if rated else None,
            "pegawai_penilai_id": self.pns_id(r.atasan_nip) if rated else None,
            "tahun_skp": plan.year,
            "skp_id": plan.skp_id,
            "periode_id": ref,
            "skp_penilaian_id": _uuid(self.seed, "skp-penilaian", plan.skp_id),
            "golru": p.golru,
            "jenis_pegawai": p.kind.upper(),
        }
