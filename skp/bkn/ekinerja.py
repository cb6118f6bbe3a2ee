"""The e-Kinerja integration API: typed rows from tolerant parsing of BKN's answers."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from opd.nip import validate_nip
from skp import rules

from .http import TIMEOUT, BknError, NotFound, TokenRefused, get_json, unwrap


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
    """BKN's timestamps: naive means WIB; 'Z' or an offset are honoured.

    Shapes seen: 2025-04-15, 2025-04-15 23:59:59, ISO-8601 with a zone,
    15-04-2025 and 15-04-2025 23:59:59 (and the same with slashes).
    """
    if value is None or str(value).strip().lower() in ("", "-", "null", "none"):
        return None
    if isinstance(value, dt.datetime):
        return rules.aware(value)
    if isinstance(value, dt.date):
        return rules.aware(dt.datetime(value.year, value.month, value.day))
    text = str(value).strip().replace("Z", "+00:00")
    formats = (None, "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y")
    for fmt in formats:
        try:
            moment = dt.datetime.fromisoformat(text) if fmt is None else dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return rules.aware(moment)
    raise RowError(_("unreadable time %(value)r") % {"value": value})


def parse_date(value) -> dt.date | None:
    """A date in any of BKN's shapes (a moment with a zone is read as its WIB day)."""
    moment = parse_time(value)
    return moment.astimezone(rules.WIB).date() if moment else None


def _date_or_none(value) -> dt.date | None:
    """For ordering only (which SKP ends later): an unreadable date sorts first instead of failing the row."""
    try:
        return parse_date(value)
    except RowError:
        return None


def parse_nip(value) -> str:
    try:
        return validate_nip(value).nip
    except ValidationError as error:
        raise RowError(error.messages[0]) from None


def parse_kind(value) -> str | None:
    """PNS or PPPK from BKN's words: anything starting with PPPK (also "PPPK Paruh Waktu") is PPPK.

    None for a value that is neither: the caller keeps what it knew and lists it.
    """
    word = str(value or "").strip().upper()
    if word.startswith("PPPK"):
        return "pppk"
    if word.startswith("PNS") or word in ("CPNS", "PEGAWAI NEGERI SIPIL"):
        return "pns"
    return None


def _flag(value) -> bool:
    """BKN's 0/1 flags, also as spreadsheet numbers (0.0) and words."""
    return str(value or "0").strip() not in ("0", "0.0", "False", "false", "")


@dataclass(frozen=True)
class BknPeriod:
    bkn_id: str
    year: int
    month: int
    batas_pengisian: dt.date | None


@dataclass(frozen=True)
class SkpPlan:
    nip: str
    nama: str
    jabatan: str
    kind: str | None
    kind_word: str
    unor: str | None
    unor_id: str | None
    unor_induk: str | None
    approved: bool
    status: str
    acting: bool
    skp_id: str
    periode_awal: dt.date | None
    periode_akhir: str
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class Penilaian:
    """One row of e-Kinerja's Laporan Penilaian: rated, or filed and waiting for the appraiser."""

    nip: str
    nama: str
    jabatan: str
    hasil: int | None
    perilaku: int | None
    predikat: str | None
    rated_at: dt.datetime | None
    unor: str | None
    unor_id: str | None
    unor_induk: str | None
    atasan_nip: str | None
    atasan_nama: str | None
    atasan_jabatan: str | None
    atasan_unor: str | None
    atasan_unor_id: str | None
    acting: bool
    skp_id: str | None
    skp_start: dt.date | None
    skp_end: dt.date | None
    raw: dict = field(compare=False, repr=False)

    @property
    def rated(self) -> bool:
        return self.rated_at is not None

    @property
    def rating(self) -> tuple:
        return (self.hasil, self.perilaku, self.predikat, self.rated_at)

    @property
    def skp_key(self) -> tuple:
        """Which SKP the row belongs to: BKN's skp_id, else its unit and dates."""
        return (self.skp_id,) if self.skp_id else (self.unor_id or self.unor, self.skp_start, self.skp_end)


# Kept under its old name: a rated row is a Penilaian with its rating.
Rating = Penilaian


def parse_period(row: dict) -> BknPeriod | None:
    """Monthly periods only (quarterly ones are not Kapuas' concern); RowError for one that cannot be read.

    The month is `angka_periodik` of `tahun`, or the month of `periode_awal`
    when those are missing; every date shape BKN uses is read.
    """
    if str(_get(row, "tipe_periodik") or "").lower() != "bulanan":
        return None
    bkn_id = _get(row, "id")
    if bkn_id is None:
        raise RowError(_("a period without an id"))
    start = parse_date(_get(row, "periode_awal"))
    try:
        month, year = int(_get(row, "angka_periodik")), int(_get(row, "tahun"))
    except (TypeError, ValueError):
        if start is None:
            raise RowError(_("period %(id)s names no month") % {"id": bkn_id}) from None
        month, year = start.month, start.year
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise RowError(
            _("period %(id)s has month %(month)s of %(year)s") % {"id": bkn_id, "month": month, "year": year}
        )
    parse_date(_get(row, "periode_akhir"))  # unreadable: the period is skipped, not half-read
    return BknPeriod(
        bkn_id=str(bkn_id).strip(), year=year, month=month, batas_pengisian=parse_date(_get(row, "batas_pengisian"))
    )


CYCLE_TYPES = {"triwulan": rules.TRIWULAN, "semester": rules.SEMESTER, "tahunan": rules.TAHUNAN}


def parse_cycle_period(row: dict) -> tuple[str, BknPeriod] | None:
    """A period of the teachers' cycle (DESIGN.md "Teachers report through Ruang GTK"): `tipe_periodik`
    triwulan, semester or tahunan, or a `jenis_periode` tahunan without one; None for any other.

    Returns the cycle and the period with its last month as `month` (Q1: 3);
    the number is `angka_periodik`, or read from `periode_awal`. RowError
    for one that cannot be read.
    """
    tipe = str(_get(row, "tipe_periodik") or "").strip().lower()
    jenis = str(_get(row, "jenis_periode") or "").strip().lower()
    cycle = CYCLE_TYPES.get(tipe) or (rules.TAHUNAN if not tipe and jenis == "tahunan" else None)
    if cycle is None:
        return None
    bkn_id = _get(row, "id")
    if bkn_id is None:
        raise RowError(_("a period without an id"))
    start = parse_date(_get(row, "periode_awal"))
    size = rules.CYCLE_MONTHS[cycle]
    try:
        year = int(_get(row, "tahun"))
    except (TypeError, ValueError):
        if start is None:
            raise RowError(_("period %(id)s names no month") % {"id": bkn_id}) from None
        year = start.year
    try:
        number = 1 if cycle == rules.TAHUNAN else int(_get(row, "angka_periodik"))
    except (TypeError, ValueError):
        if start is None:
            raise RowError(_("period %(id)s names no month") % {"id": bkn_id}) from None
        number = (start.month - 1) // size + 1
    if not 1 <= number <= 12 // size or not 2000 <= year <= 2100:
        raise RowError(
            _("period %(id)s has month %(month)s of %(year)s") % {"id": bkn_id, "month": number, "year": year}
        )
    batas = parse_date(_get(row, "batas_pengisian"))
    return cycle, BknPeriod(bkn_id=str(bkn_id).strip(), year=year, month=number * size, batas_pengisian=batas)


def parse_plan(row: dict) -> SkpPlan:
    raw, row = row, lowered(row)
    unor_id = _get(row, "skp_unor_id", "unor_id")
    return SkpPlan(
        nip=parse_nip(_get(row, "nip")),
        nama=_get(row, "nama") or "",
        jabatan=_get(row, "jabatan", "skp_jabatan") or "",
        kind=parse_kind(_get(row, "jenis_pegawai")),
        kind_word=str(_get(row, "jenis_pegawai") or ""),
        unor=_get(row, "skp_unor", "unit"),
        unor_id=str(unor_id) if unor_id is not None else None,
        unor_induk=_get(row, "skp_unor_induk"),
        approved=str(_get(row, "skp_status") or "").lower() == "persetujuan",
        status=str(_get(row, "skp_status") or ""),
        acting=_flag(_get(row, "is_plt_plh")),
        skp_id=str(_get(row, "skp_id") or ""),
        periode_awal=_date_or_none(_get(row, "periode_awal")),
        periode_akhir=str(_date_or_none(_get(row, "periode_akhir")) or ""),
        raw=raw,
    )


def _text(row, *names) -> str | None:
    value = _get(row, *names)
    return str(value) if value is not None else None


def parse_penilaian(row: dict) -> Penilaian:
    """A Laporan Penilaian row, rated or not (hasil_akhir '-' or blank: filed, waiting for the appraiser)."""
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
        hasil = perilaku = predikat = rated_at = None
    atasan = _get(row, "pegawai_atasan_nip")
    return Penilaian(
        nip=nip,
        nama=_get(row, "nama") or "",
        jabatan=_get(row, "skp_jabatan", "jabatan") or "",
        hasil=hasil,
        perilaku=perilaku,
        predikat=predikat,
        rated_at=rated_at,
        unor=_get(row, "skp_unor"),
        unor_id=_text(row, "skp_unor_id"),
        unor_induk=_get(row, "skp_unor_induk"),
        atasan_nip=str(atasan).strip().lstrip("'") if atasan else None,
        atasan_nama=_text(row, "pegawai_atasan_nama"),
        atasan_jabatan=_text(row, "pegawai_atasan_jabatan"),
        atasan_unor=_text(row, "pegawai_atasan_unor"),
        atasan_unor_id=_text(row, "pegawai_atasan_unor_id"),
        acting=_flag(_get(row, "is_skp_plt_plh_pjb")),
        skp_id=_text(row, "skp_id"),
        skp_start=_date_or_none(_get(row, "periode_awal_skp")),
        skp_end=_date_or_none(_get(row, "periode_akhir_skp")),
        raw=raw,
    )


def parse_rating(row: dict) -> Penilaian | None:
    """A rated row, or None for one that says "not rated yet"."""
    row = parse_penilaian(row)
    return row if row.rated else None


class EkinerjaClient:
    """GET /api_kinerja/... with a bearer token. Base URL is the host (EKINERJA_BASE_URL)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        concurrency: int = 8,
        **retry,
    ):
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
            transport=transport,
        )
        self.retry = retry
        self.concurrency = concurrency

    def close(self):
        self.http.close()

    def _rows(self, path: str, params=None) -> list[dict]:
        data = unwrap(get_json(self.http, path, params=params, **self.retry))
        if data is None:
            return []
        if not isinstance(data, list):
            raise RowError(f"{path}: expected a list, got {type(data).__name__}")
        return data

    def period_rows(self) -> list[dict]:
        return self._rows("/api_kinerja/referensi/periode")

    def periods(self) -> list[BknPeriod]:
        return [p for p in (parse_period(r) for r in self.period_rows()) if p]

    def skp_plan_rows(self, year: int) -> list[dict]:
        return self._rows(f"/api_kinerja/laporan/skp/{year}")

    def rating_rows(self, year: int, bkn_period_id: str, nip: str | None = None) -> list[dict]:
        """The period's Laporan Penilaian, or one person's rows (`?nip=`)."""
        try:
            params = {"nip": nip} if nip else None
            return self._rows(f"/api_kinerja/laporan/penilaian/{year}/{bkn_period_id}", params=params)
        except NotFound:
            return []  # BKN: a 404 here means "no rating exists yet"

    def rating_rows_per_nip(self, year: int, bkn_period_id: str, nips: list[str]) -> dict[str, object]:
        """One call per NIP, `concurrency` at a time (the fallback when the period's bulk call fails).

        Each NIP maps to its rows, or to the BknError its call ended with.
        """

        def one(nip):
            try:
                return nip, self.rating_rows(year, bkn_period_id, nip)
            except TokenRefused:
                raise  # a refused token stops the whole run, not one NIP
            except (BknError, RowError) as error:
                return nip, error

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return dict(pool.map(one, nips))
