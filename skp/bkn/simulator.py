"""A BKN simulator: e-Kinerja's and SIASN's endpoints over HTTP, answering from `answers`, with faults on demand.

seed_demo syncs its answers through the real sync code; sync_bkn reaches it
only when BKN_SIMULATOR=1 asks for it. Faults (latency, 500s, 429 with
Retry-After, malformed or truncated JSON, a refused token, SIASN tokens that
expire) are chosen per request from a seeded random stream, so a test run is
repeatable. Served in-process to the real client through httpx.WSGITransport,
or over loopback by `run_bkn_simulator`.
"""

import base64
import datetime as dt
import json
import random
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from .answers import BknAnswers, Shapes

TOKEN = "simulator-token"  # noqa: S105  (the simulator's own, never a real credential)
SIASN_CREDENTIALS = {"consumer_key": "sim-key", "consumer_secret": "sim-secret", "client_id": "sim-client",
                     "username": "sim-user", "password": "sim-password"}  # fmt: skip


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


class Simulator(BknAnswers):
    """BKN's answers served as a WSGI app, e-Kinerja's bearer token and SIASN's two tokens checked, faults rolled."""

    def __init__(
        self,
        *,
        asn_count: int = 8000,
        seed: int = 2025,
        now: dt.datetime | None = None,
        faults=None,
        periods: list[tuple[int, int]] | None = None,
        shapes: Shapes | None = None,
    ):
        super().__init__(asn_count=asn_count, seed=seed, now=now, periods=periods, shapes=shapes)
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        self.calls: list[str] = []
        self._tokens: dict[str, str] = {}
        self._counter = 0

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
        if match := re.fullmatch(r"/apisiasn/1.0/pns/rw-kinerjaperiodik/(\d{18})", path):
            return self.rw_kinerjaperiodik(match[1])
        if path == "/apisiasn/1.0/referensi/ref-unor":
            return self.ref_unor()
        return None

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
        if match := re.fullmatch(r"/api_kinerja/laporan/penilaian/(\d{4})/([0-9A-Za-z-]+)", path):
            nip = re.search(r"(?:^|&)nip=(\d+)", query)
            rows = self.penilaian(int(match[1]), match[2], nip[1] if nip else None)
            return None if rows is None else {"data": rows}
        return None
