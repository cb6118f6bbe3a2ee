"""The e-Kinerja integration API: typed rows from tolerant parsing of BKN's answers."""

import datetime as dt
from dataclasses import dataclass, field

import httpx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opd.nip import validate_nip
from skp import rules

from .http import TIMEOUT, NotFound, get_json, unwrap


class RowError(ValueError):
    """A row that is wrong where it matters (NIP, period, rating word)."""


class _Lowered(dict):
    """A row whose keys are already lower-case (BKN's capitals vary from endpoint to endpoint)."""


def lowered(row: dict) -> dict:
    return row if isinstance(row, _Lowered) else _Lowered((str(k).lower(), v) for k, v in row.items())


def _get(row: dict, *names):
    """A field by any of its spellings, with BKN's 'null' strings read as missing."""
    lowered_row = lowered(row)
    for name in names:
        value = lowered_row.get(name.lower())
        if isinstance(value, str):
            value = value.strip()
            if value.lower() in ("", "null", "none", "-"):
                value = None
        if value is not None:
            return value
    return None


def parse_time(value) -> dt.datetime | None:
    """BKN's timestamps: naive means WIB; 'Z' or an offset are honoured."""
    if value is None or str(value).strip().lower() in ("", "-", "null", "none"):
        return None
    text = str(value).strip().replace("Z", "+00:00")
    for fmt in (None, "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = dt.datetime.fromisoformat(text) if fmt is None else dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return rules.aware(moment)
    raise RowError(_("unreadable time %(value)r") % {"value": value})


def parse_nip(value) -> str:
    try:
        return validate_nip(value).nip
    except ValidationError as error:
        raise RowError(error.messages[0]) from None


@dataclass(frozen=True)
class BknPeriod:
    bkn_id: int
    year: int
    month: int
    batas_pengisian: dt.date | None


@dataclass(frozen=True)
class SkpPlan:
    nip: str
    nama: str
    jabatan: str
    kind: str
    unor: str | None
    unor_induk: str | None
    approved: bool
    status: str
    acting: bool
    skp_id: str
    periode_akhir: str
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class Rating:
    nip: str
    nama: str
    hasil: int
    perilaku: int
    predikat: str | None
    rated_at: dt.datetime
    unor: str | None
    unor_induk: str | None
    atasan_nip: str | None
    acting: bool
    raw: dict = field(compare=False, repr=False)


def parse_period(row: dict) -> BknPeriod | None:
    """Monthly periods only (quarterly ones are not Kapuas' concern)."""
    if str(_get(row, "tipe_periodik") or "").lower() != "bulanan":
        return None
    month = int(_get(row, "angka_periodik"))
    year = int(_get(row, "tahun"))
    if not 1 <= month <= 12:
        raise RowError(f"period {row!r} has month {month}")
    limit = _get(row, "batas_pengisian")
    return BknPeriod(
        bkn_id=int(_get(row, "id")),
        year=year,
        month=month,
        batas_pengisian=dt.date.fromisoformat(limit[:10]) if limit else None,
    )


def parse_plan(row: dict) -> SkpPlan:
    raw, row = row, lowered(row)
    return SkpPlan(
        nip=parse_nip(_get(row, "nip")),
        nama=_get(row, "nama") or "",
        jabatan=_get(row, "jabatan", "skp_jabatan") or "",
        kind="pppk" if str(_get(row, "jenis_pegawai") or "").upper() == "PPPK" else "pns",
        unor=_get(row, "skp_unor", "unit"),
        unor_induk=_get(row, "skp_unor_induk"),
        approved=str(_get(row, "skp_status") or "").lower() == "persetujuan",
        status=str(_get(row, "skp_status") or ""),
        acting=str(_get(row, "is_plt_plh") or "0") not in ("0", "False", "false"),
        skp_id=str(_get(row, "skp_id") or ""),
        periode_akhir=str(_get(row, "periode_akhir") or ""),
        raw=raw,
    )


def parse_rating(row: dict) -> Rating | None:
    """A rated row, or None for a row that says "not rated yet" (hasil_akhir '-' or blank)."""
    raw, row = row, lowered(row)
    nip = parse_nip(_get(row, "nip"))
    try:
        hasil = rules.parse_rating(_get(row, "hasil_kerja"))
        perilaku = rules.parse_rating(_get(row, "perilaku_kerja"))
        predikat = rules.parse_predikat(_get(row, "hasil_akhir"))
    except rules.RuleError as error:
        raise RowError(str(error)) from None
    rated_at = parse_time(_get(row, "waktu_dinilai"))
    if hasil is None or perilaku is None or rated_at is None:
        return None
    atasan = _get(row, "pegawai_atasan_nip")
    return Rating(
        nip=nip,
        nama=_get(row, "nama") or "",
        hasil=hasil,
        perilaku=perilaku,
        predikat=predikat,
        rated_at=rated_at,
        unor=_get(row, "skp_unor"),
        unor_induk=_get(row, "skp_unor_induk"),
        atasan_nip=str(atasan).lstrip("'") if atasan else None,
        acting=str(_get(row, "is_skp_plt_plh_pjb") or "0") not in ("0", "False", "false"),
        raw=raw,
    )


class EkinerjaClient:
    """GET /api_kinerja/... with a bearer token. Base URL is the host (EKINERJA_BASE_URL)."""

    def __init__(self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None, **retry):
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
            transport=transport,
        )
        self.retry = retry

    def close(self):
        self.http.close()

    def _rows(self, path: str, params=None) -> list[dict]:
        data = unwrap(get_json(self.http, path, params=params, **self.retry))
        if data is None:
            return []
        if not isinstance(data, list):
            raise RowError(f"{path}: expected a list, got {type(data).__name__}")
        return data

    def periods(self) -> list[BknPeriod]:
        return [p for p in (parse_period(r) for r in self._rows("/api_kinerja/referensi/periode")) if p]

    def skp_plan_rows(self, year: int) -> list[dict]:
        return self._rows(f"/api_kinerja/laporan/skp/{year}")

    def rating_rows(self, year: int, bkn_period_id: int) -> list[dict]:
        try:
            return self._rows(f"/api_kinerja/laporan/penilaian/{year}/{bkn_period_id}")
        except NotFound:
            return []  # BKN: a 404 here means "no rating exists yet"
