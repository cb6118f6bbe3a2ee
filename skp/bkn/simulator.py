"""A BKN simulator: answers e-Kinerja's endpoints from the demo generator, with faults on demand.

The same DemoBuilder feeds seed_demo and this app, so what the sync fetches
agrees with the demo. Faults (latency, 500s, 429 with Retry-After, malformed
or truncated JSON, a refused token) are chosen per request from a seeded
random stream, so a test run is repeatable. Served in-process to the real
client through httpx.WSGITransport, or over loopback by `run_bkn_simulator`.
"""

import datetime as dt
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property

from skp import rules
from skp.demo import DemoBuilder

TOKEN = "simulator-token"  # noqa: S105  (the simulator's own, never a real credential)
SIASN_CREDENTIALS = {"consumer_key": "sim-key", "consumer_secret": "sim-secret", "client_id": "sim-client",
                     "username": "sim-user", "password": "sim-password"}  # fmt: skip
WORDS = {rules.ABOVE: "DIATAS ESPEKTASI", rules.AS_EXPECTED: "SESUAI EKSPEKTASI", rules.BELOW: "DIBAWAH ESPEKTASI"}
PREDIKAT_WORDS = {
    rules.SANGAT_BAIK: "SANGAT BAIK",
    rules.BAIK: "BAIK",
    rules.BUTUH_PERBAIKAN: "BUTUH PERBAIKAN",
    rules.KURANG: "KURANG/MISCONDUCT",
    rules.SANGAT_KURANG: "SANGAT KURANG",
}


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every answer
    server_errors: float = 0.0  # share of answers that are 500
    rate_limited: float = 0.0  # share of answers that are 429 with Retry-After
    retry_after: int = 1
    malformed: float = 0.0  # share of answers whose JSON is broken
    truncated: float = 0.0  # share of answers cut short
    refuse_token: bool = False  # every e-Kinerja call answers 401
    expire_siasn_tokens: bool = False  # each SIASN token works for one call, then answers 401
    seed: int = 1


def period_id(year: int, month: int) -> int:
    return year * 100 + month


class Simulator:
    def __init__(self, *, asn_count: int = 8000, seed: int = 2025, now: dt.datetime | None = None, faults=None):
        self.asn_count, self.seed = asn_count, seed
        self.now = now or dt.datetime.now(tz=rules.WIB)
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self.calls: list[str] = []
        self._tokens: dict[str, str] = {}
        self._counter = 0

    @cached_property
    def data(self) -> DemoBuilder:
        keys = rules.months_back(*rules.previous_period(self.now.astimezone(rules.WIB).date()))
        builder = DemoBuilder(asn_count=self.asn_count, seed=self.seed, periods=sorted(keys), now=self.now)
        builder.build()
        return builder

    # -- WSGI --------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        with self._lock:
            self.calls.append(path)
            roll = self._random.random()
        faults = self.faults
        if faults.latency:
            time.sleep(faults.latency)
        if path.startswith(("/oauth2/", "/auth/", "/apisiasn/")):
            return self._siasn(environ, start_response, path, roll)
        if path.startswith("/api_kinerja/") and (
            faults.refuse_token or environ.get("HTTP_AUTHORIZATION") != f"Bearer {TOKEN}"
        ):
            return self._answer(start_response, "401 Unauthorized", {"message": "Token tidak valid"})
        if roll < faults.server_errors:
            return self._answer(start_response, "500 Internal Server Error", {"message": "error"})
        roll -= faults.server_errors
        if roll < faults.rate_limited:
            return self._answer(
                start_response,
                "429 Too Many Requests",
                {"message": "slow down"},
                [("Retry-After", str(faults.retry_after))],
            )
        roll -= faults.rate_limited
        body = self._route(path, query)
        if body is None:
            return self._answer(start_response, "404 Not Found", {"message": "not found"})
        text = json.dumps(body)
        if roll < faults.malformed:
            text = text.replace('"', "'", 3)
        elif roll - faults.malformed < faults.truncated:
            text = text[: len(text) // 2]
        return self._raw(start_response, "200 OK", text)

    # -- SIASN (BKN_SOURCES.md §2): two tokens, {"code": 1, "data": ...} ------------------
    def _siasn(self, environ, start_response, path, roll):
        import base64
        from urllib.parse import parse_qs

        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()} if length else {}
        if path == "/oauth2/token":
            basic = base64.b64encode(b"sim-key:sim-secret").decode()
            if environ.get("HTTP_AUTHORIZATION") != f"Basic {basic}" or form.get("grant_type") != "client_credentials":
                return self._answer(start_response, "401 Unauthorized", {"error": "invalid_client"})
            return self._answer(start_response, "200 OK", {"access_token": self._new_token("gw"), "expires_in": 3600})
        if path == "/auth/realms/public-siasn/protocol/openid-connect/token":
            if (form.get("username"), form.get("password")) != ("sim-user", "sim-password"):
                return self._answer(start_response, "401 Unauthorized", {"error": "invalid_grant"})
            return self._answer(start_response, "200 OK", {"access_token": self._new_token("sso"), "expires_in": 43200})
        gateway = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
        sso = environ.get("HTTP_AUTH", "").removeprefix("bearer ")
        with self._lock:
            valid = self._tokens.get(gateway) == "gw" and self._tokens.get(sso) == "sso"
            if valid and self.faults.expire_siasn_tokens:
                # One call per token pair, then it has "expired".
                self._tokens.pop(gateway, None)
                self._tokens.pop(sso, None)
        if not valid:
            return self._answer(start_response, "401 Unauthorized", {"message": "token expired"})
        if roll < self.faults.server_errors:
            return self._answer(start_response, "500 Internal Server Error", {"message": "error"})
        body = self._siasn_route(path)
        if body is None:
            return self._answer(start_response, "404 Not Found", {"code": 0, "message": "not found"})
        return self._answer(start_response, "200 OK", {"code": 1, "data": body})

    def _new_token(self, kind: str) -> str:
        with self._lock:
            self._counter += 1
            token = f"{kind}-{self._counter}"
            self._tokens[token] = kind
        return token

    def _siasn_route(self, path: str):
        if match := re.fullmatch(r"/apisiasn/1.0/pns/data-utama/(\d{18})", path):
            return self.data_utama(match[1])
        if match := re.fullmatch(r"/apisiasn/1.0/pns/rw-skp22/(\d{18})", path):
            return self.rw_skp22(match[1])
        if path == "/apisiasn/1.0/referensi/ref-unor":
            return self.ref_unor()
        return None

    @staticmethod
    def unor_id(*names: str) -> str:
        import hashlib

        return hashlib.md5("/".join(names).encode(), usedforsecurity=False).hexdigest()

    def pns_id(self, nip: str | None) -> str | None:
        return f"{int(nip) * 7919 % (16**32):032X}" if nip else None

    def ref_unor(self) -> list[dict]:
        """The unit tree with capitalised keys, as SIASN sends it; heads by PNS id."""
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
        return {
            "id": self.pns_id(nip),
            "nipBaru": nip,
            "nipLama": None,
            "nama": nama,
            "gelarDepan": None,
            "gelarBelakang": gelar or None,
            "jenisPegawaiNama": p.kind.upper(),
            "unorNama": p.unit,
            "unorIndukNama": self._opd_names[p.opd],
            "jabatanNama": p.jabatan,
            "email": p.email.replace("@demo.kapuaskab.go.id", "@gmail.com"),
            "emailGov": p.email if int(nip[-1]) % 3 else "null",
            "noHp": f"08{int(nip[-9:]) % 10**10:010d}",
            "kedudukanPnsNama": "Aktif",
        }

    def rw_skp22(self, nip: str) -> list | None:
        if nip not in self._people:
            return None
        rows = []
        for (plan_nip, year), approved in self.data.plans.items():
            if plan_nip == nip and approved and year < self.now.year:
                # Note BKN's own capitals: KuadranKinerjaNilai, PerilakuKerjaNilai.
                rows.append({"id": f"rw-{nip}-{year}", "tahun": year, "hasilKinerja": "SESUAI EKSPEKTASI",
                             "hasilKinerjaNilai": 2, "kuadranKinerja": "BAIK", "KuadranKinerjaNilai": 2,
                             "perilakuKerja": "SESUAI EKSPEKTASI", "PerilakuKerjaNilai": 2})  # fmt: skip
        return rows

    def _answer(self, start_response, status, body, headers=()):
        return self._raw(start_response, status, json.dumps(body), headers)

    def _raw(self, start_response, status, text, headers=()):
        data = text.encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers])
        return [data]

    def _route(self, path, query):
        if path == "/api_kinerja/referensi/periode":
            return {"data": self.periods()}
        if match := re.fullmatch(r"/api_kinerja/laporan/skp/(\d{4})", path):
            return {"data": self.skp_plans(int(match[1]))}
        if match := re.fullmatch(r"/api_kinerja/laporan/penilaian/(\d{4})/(\d+)", path):
            nip = re.search(r"(?:^|&)nip=(\d+)", query)
            rows = self.ratings(int(match[1]), int(match[2]), nip[1] if nip else None)
            return None if rows is None else {"data": rows}
        return None

    # -- e-Kinerja shapes (BKN_SOURCES.md §1) ---------------------------------------
    @property
    def open_period(self) -> tuple[int, int]:
        """The month under way: listed by BKN, nothing rated yet."""
        today = self.now.astimezone(rules.WIB).date()
        return today.year, today.month

    def periods(self) -> list[dict]:
        rows = []
        for year, month in [*self.data.periods, self.open_period]:
            start, end = rules.period_bounds(year, month)
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            rows.append(
                {
                    "id": period_id(year, month),
                    "nama": f"Periodik Bulanan {month:02d}/{year}",
                    "tahun": year,
                    "periode_awal": start.isoformat(),
                    "periode_akhir": end.isoformat(),
                    # BKN's own limit differs from the Kapuas rule, as in the real data.
                    "batas_pengisian": dt.date(next_year, next_month, 5).isoformat(),
                    "jenis_periode": "periodik",
                    "tipe_periodik": "bulanan",
                    "angka_periodik": month,
                }
            )
        year = self.data.periods[-1][0]
        rows.append(
            {
                "id": year * 100 + 90,
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
        return rows

    @cached_property
    def _opd_names(self) -> dict[str, str]:
        return {row["kode"]: row["nama"] for row in self.data.opds}

    def skp_plans(self, year: int) -> list[dict]:
        rows = []
        for i, p in enumerate(self.data.asn):
            approved = self.data.plans.get((p.nip, year))
            if approved is None:
                continue
            rows.append(
                {
                    "skp_id": f"skp-{p.nip}-{year}",
                    "nip": p.nip,
                    "nama": p.nama,
                    "jabatan": p.jabatan,
                    "unit": p.unit,
                    "jenis_pegawai": p.kind.upper(),
                    "skp_status": "persetujuan" if approved else "draft",
                    "skp_unor": p.unit or self._opd_names[p.opd],
                    "skp_unor_induk": self._opd_names[p.opd],
                    "skp_jabatan": p.jabatan,
                    "skp_jenis_jabatan": f"Jabatan {p.jenis_jabatan.title()}",
                    "periode_awal": f"{year}-01-01",
                    "periode_akhir": f"{year}-12-31",
                    "is_plt_plh": 0,
                }
            )
            if i % 500 == 7:  # an acting official's extra plan: not their own SKP
                rows.append(
                    {**rows[-1], "skp_id": f"plt-{p.nip}-{year}", "is_plt_plh": 1, "skp_jabatan": "Plt. Kepala"}
                )
        return rows

    @cached_property
    def _ratings_by_period(self) -> dict[tuple[int, int], list]:
        by_period: dict = {}
        people = {p.nip: p for p in self.data.asn}
        for nip, key, fields in self.data.records:
            if fields["stage"] == rules.RATED:
                by_period.setdefault(key, []).append((people[nip], fields))
        return by_period

    def ratings(self, year: int, pid: int, nip: str | None = None) -> list[dict] | None:
        key = (pid // 100, pid % 100)
        if key[0] != year or key not in {*self.data.periods, self.open_period}:
            return None
        names = {p.nip: p.nama for p in self.data.asn}
        rows = []
        for p, fields in self._ratings_by_period.get(key, []):
            if nip and p.nip != nip:
                continue
            rated = fields["rated_at"].astimezone(rules.WIB)
            rows.append(
                {
                    "nip": p.nip,
                    "nama": p.nama,
                    "jenis": "BULANAN",
                    "skp_unor": p.unit or self._opd_names[p.opd],
                    "skp_unor_induk": self._opd_names[p.opd],
                    "skp_jabatan": p.jabatan,
                    "is_skp_plt_plh_pjb": 0,
                    "hasil_kerja": WORDS[fields["rating_hasil"]],
                    "perilaku_kerja": WORDS[fields["rating_perilaku"]],
                    "hasil_akhir": PREDIKAT_WORDS[fields["predikat_bkn"]],
                    "pegawai_atasan_nip": p.atasan_nip,
                    "pegawai_atasan_nama": names.get(p.atasan_nip),
                    # e-Kinerja writes WIB wall-clock time without a zone.
                    "waktu_dinilai": rated.strftime("%Y-%m-%d %H:%M:%S"),
                    "periode_id": pid,
                    "tahun_skp": year,
                    "jenis_pegawai": p.kind.upper(),
                }
            )
        return rows
