"""The SIASN web service: two tokens, one refresh on 401, bounded concurrency for per-NIP calls."""

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from django.core.exceptions import ValidationError

from opd.nip import validate_nip
from skp import rules

from .ekinerja import _get, parse_kind
from .http import TIMEOUT, BknError, NotFound, TokenRefused, get_json, unwrap

PREFIX = "/apisiasn/1.0"


@dataclass(frozen=True)
class MasterData:
    nip: str
    pns_id: str
    nama: str
    kind: str | None  # None: neither PNS nor PPPK (the writer keeps what it knew and lists it)
    email: str
    phone: str
    raw: dict
    kind_word: str = ""


@dataclass(frozen=True)
class AnnualResult:
    nip: str
    year: int
    hasil: int | None
    perilaku: int | None
    predikat: str | None


class SiasnClient:
    """Gateway token (client credentials) plus SSO token (password grant) on every call.

    On a 401 both tokens are dropped and fetched again, once; a second 401 is final.
    """

    def __init__(
        self,
        *,
        apim_url: str,
        api_url: str,
        sso_url: str,
        consumer_key: str,
        consumer_secret: str,
        client_id: str,
        username: str,
        password: str,
        transport: httpx.BaseTransport | None = None,
        concurrency: int = 8,
        **retry,
    ):
        self.apim = httpx.Client(base_url=apim_url.rstrip("/"), timeout=TIMEOUT, transport=transport)
        self.sso = httpx.Client(base_url=sso_url.rstrip("/"), timeout=TIMEOUT, transport=transport)
        self.api = httpx.Client(base_url=api_url.rstrip("/"), timeout=TIMEOUT, transport=transport)
        self.credentials = (consumer_key, consumer_secret, client_id, username, password)
        self.concurrency = concurrency
        self.retry = retry
        self._tokens: tuple[str, str] | None = None
        self._lock = threading.Lock()

    def close(self):
        for client in (self.apim, self.sso, self.api):
            client.close()

    def _fetch_tokens(self) -> tuple[str, str]:
        key, secret, client_id, username, password = self.credentials
        gateway = self.apim.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(key, secret))
        sso = self.sso.post(
            "/auth/realms/public-siasn/protocol/openid-connect/token",
            data={"grant_type": "password", "client_id": client_id, "username": username, "password": password},
        )
        for response in (gateway, sso):
            if response.status_code != 200:
                raise TokenRefused(f"SIASN token endpoint answered {response.status_code}")
        return gateway.json()["access_token"], sso.json()["access_token"]

    def _headers(self, renew: bool = False) -> dict:
        with self._lock:
            if renew or self._tokens is None:
                self._tokens = self._fetch_tokens()
            gateway, sso = self._tokens
        return {"Authorization": f"Bearer {gateway}", "Auth": f"bearer {sso}", "Accept": "application/json"}

    def get(self, path: str):
        try:
            return unwrap(get_json(self.api, PREFIX + path, headers=self._headers(), **self.retry))
        except TokenRefused:
            # Tokens expire; renew both and try once more. A second refusal is final.
            return unwrap(get_json(self.api, PREFIX + path, headers=self._headers(renew=True), **self.retry))

    def for_each_nip(self, path: str, nips: list[str]) -> dict[str, object]:
        """GET path.format(nip) for every NIP, `concurrency` at a time; failures come back as exceptions."""

        def one(nip):
            try:
                return nip, self.get(path.format(nip=nip))
            except NotFound:
                return nip, None
            except TokenRefused:
                raise  # wrong credentials stop the whole run, not one NIP
            except BknError as error:
                return nip, error

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return dict(pool.map(one, nips))


def parse_master(nip: str, row: dict) -> MasterData:
    def text(*names):
        value = _get(row, *names)
        return str(value).strip() if value is not None else ""

    nama = " ".join(x for x in (text("gelarDepan"), text("nama")) if x)
    if text("gelarBelakang"):
        nama = f"{nama}, {text('gelarBelakang')}"
    return MasterData(
        nip=nip,
        pns_id=text("id"),
        nama=nama,
        kind=parse_kind(text("jenisPegawaiNama")),
        email=text("emailGov") or text("email"),
        phone=text("noHp"),
        raw=row,
        kind_word=text("jenisPegawaiNama"),
    )


def _appraiser_nip(row: dict) -> str | None:
    value = _get(row, "penilaiNipNrp", "nipNrpPenilai")
    if value is None:
        return None
    try:
        return validate_nip(value).nip
    except ValidationError:
        return None


def _month_of(row: dict) -> int:
    for name in ("bulan", "periodikBulan"):
        try:
            return int(_get(row, name))
        except (TypeError, ValueError):
            continue
    return 0


def newest_appraiser_nip(periodic: list, annual: list) -> str | None:
    """The appraiser SIASN names in the newest rw-kinerjaperiodik or rw-skp22 entry.

    Entries are ordered by year, then month (an annual result counts as the
    year's end); entries that name no valid NIP are passed over.
    """
    entries = []
    for row in periodic if isinstance(periodic, list) else []:
        if isinstance(row, dict):
            entries.append((_year_of(row), _month_of(row), _appraiser_nip(row)))
    for row in annual if isinstance(annual, list) else []:
        if isinstance(row, dict):
            entries.append((_year_of(row), 12, _appraiser_nip(row)))
    named = [e for e in entries if e[2]]
    return max(named)[2] if named else None


def _year_of(row: dict) -> int:
    try:
        return int(_get(row, "tahun"))
    except (TypeError, ValueError):
        return 0


def parse_annual(nip: str, row: dict) -> AnnualResult:
    """rw-skp22: note BKN's inconsistent capitals (KuadranKinerjaNilai, PerilakuKerjaNilai)."""
    kuadran = _get(row, "kuadranKinerjaNilai", "KuadranKinerjaNilai")
    hasil = _get(row, "hasilKinerjaNilai")
    perilaku = _get(row, "perilakuKerjaNilai", "PerilakuKerjaNilai")
    return AnnualResult(
        nip=nip,
        year=int(_get(row, "tahun")),
        hasil=int(hasil) if hasil is not None else None,
        perilaku=int(perilaku) if perilaku is not None else None,
        predikat=rules.parse_predikat(str(int(kuadran))) if kuadran is not None else None,
    )
