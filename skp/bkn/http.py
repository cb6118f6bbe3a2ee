"""What every BKN call shares: timeouts, retries with backoff and jitter, Retry-After."""

import json
import logging
import random
import time

import httpx

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class BknError(Exception):
    """A call that failed for good (after its retries)."""


class TokenRefused(BknError):
    """401/403 from e-Kinerja: the token expired or was refused; the portal cannot renew it."""


class NotFound(BknError):
    pass


def get_json(
    client: httpx.Client,
    path: str,
    *,
    params=None,
    headers=None,
    retries: int = 5,
    backoff: float = 0.5,
    sleep=time.sleep,
):
    """GET and decode JSON, retrying connection errors, 5xx, 429 and bodies that are not JSON.

    400/401/403/404 are not retried: they will not get better by asking again.
    """
    attempt = 0
    while True:
        attempt += 1
        wait = backoff * 2 ** (attempt - 1) * (1 + random.random())  # noqa: S311  (jitter, not secrecy)
        try:
            response = client.get(path, params=params, headers=headers)
        except httpx.TransportError as error:
            problem = f"{type(error).__name__}: {error}"
        else:
            if response.status_code in (401, 403):
                raise TokenRefused(f"{path}: {response.status_code}")
            if response.status_code == 404:
                raise NotFound(path)
            if response.status_code in RETRY_STATUSES:
                problem = f"HTTP {response.status_code}"
                if response.status_code == 429:
                    wait = max(wait, _retry_after(response))
            elif response.status_code >= 400:
                raise BknError(f"{path}: HTTP {response.status_code}")
            else:
                try:
                    return response.json()
                except (json.JSONDecodeError, UnicodeDecodeError):
                    # A body cut short or garbled is a failed call, never "no data".
                    problem = "the answer is not valid JSON"
        if attempt > retries:
            raise BknError(f"{path}: {problem} (after {attempt} tries)")
        log.info("BKN %s: %s; retry %d in %.1f s", path, problem, attempt, wait)
        sleep(wait)


def _retry_after(response: httpx.Response) -> float:
    try:
        return float(response.headers.get("Retry-After", "0"))
    except ValueError:
        return 0.0


def unwrap(body):
    """BKN wraps answers as {"data": ...} (SIASN adds "code"); accept a bare value too."""
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body
