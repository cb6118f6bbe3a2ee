"""`make faults` (with faults/run.sh): PostgreSQL restarted and Redis stopped under a running portal;
the login lockout behind the proxy.

Talks to the gunicorn that run.sh started, as a Kepala OPD, and prints what
happened; exits 1 if anything was lost or the app needed a restart.
"""

import os
import random
import re
import subprocess
import sys
import threading
import time

import httpx

BASE = os.environ["PORTAL"]
USERNAME = os.environ["KEPALA"]
PASSWORD = "kinerja-demo"  # noqa: S105 (the demo logins' published password)


def logged_in() -> httpx.Client:
    client = httpx.Client(base_url=BASE, timeout=30)
    client.get("/masuk/")
    response = client.post(
        "/masuk/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
        headers={"Referer": BASE + "/masuk/"},
    )
    assert response.status_code == 302, f"login refused: {response.status_code}"
    return client


def postgres_restart(client: httpx.Client) -> bool:
    """Requests keep coming while PostgreSQL restarts; afterwards every one succeeds, with no app restart."""
    outcomes: list[tuple[float, int]] = []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                code = client.get("/opd/DINKES/").status_code
            except httpx.HTTPError:
                code = 0
            outcomes.append((time.monotonic(), code))
            time.sleep(0.05)

    worker = threading.Thread(target=load)
    worker.start()
    time.sleep(3)
    restart_at = time.monotonic()
    subprocess.run(os.environ["PG_RESTART"], shell=True, check=True)  # noqa: S602 (our own command line)
    back_at = time.monotonic()
    time.sleep(5)
    stop.set()
    worker.join()
    during = [code for at, code in outcomes if restart_at <= at <= back_at + 1]
    after = [code for at, code in outcomes if at > back_at + 1]
    failed = [code for code in during if code != 200]
    print(
        f"PostgreSQL restart ({back_at - restart_at:.1f} s): {len(outcomes)} requests, "
        f"{len(failed)} failed during it (answers {sorted(set(failed)) or '-'}), "
        f"{sum(1 for c in after if c == 200)}/{len(after)} fine after it, no app restart"
    )
    return (
        bool(after) and all(code == 200 for code in after) and all(code in (200, 500, 502, 503, 0) for code in failed)
    )


def redis_down(client: httpx.Client) -> bool:
    """Pages load with Redis stopped; a nudge is kept and says so; the periodic send delivers it later."""
    subprocess.run(os.environ["REDIS_STOP"], shell=True, check=True)  # noqa: S602
    try:
        page = client.get("/opd/DINKES/?status=overdue")
        listed = page.text[page.text.index('id="record-list"') :]  # the list, not the menu's own NIP
        nip = re.search(r'href="/asn/(\d{18})/"', listed)[1]
        token = client.cookies["csrftoken"]
        nudge = client.post(
            f"/opd/DINKES/ingatkan/{nip}/",
            data={"periode": os.environ["PERIOD"], "csrfmiddlewaretoken": token},
            headers={"HX-Request": "true", "Referer": BASE + "/opd/DINKES/"},
        )
        delayed = "tertunda" in nudge.text
        print(f"Redis stopped: dashboard {page.status_code}, nudge {nudge.status_code}, delay shown: {delayed}")
    finally:
        subprocess.run(os.environ["REDIS_START"], shell=True, check=True)  # noqa: S602
    time.sleep(1)
    sent = (
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-v",
                "0",
                "-c",
                "from reminders.tasks import send_outbox; print(send_outbox())",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # the console mail backend prints the message first
    print(f"Redis back: the periodic send ran: {sent}")
    return page.status_code == 200 and nudge.status_code == 200 and delayed and sent.startswith("1 sent")


def _login_from(client_address: str, username: str, password: str) -> int:
    """One login through "the proxy" (this script, on loopback), which appends the client to X-Forwarded-For."""
    with httpx.Client(base_url=BASE, timeout=30) as client:
        client.get("/masuk/")
        return client.post(
            "/masuk/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
            headers={"Referer": BASE + "/masuk/", "X-Forwarded-For": client_address},
        ).status_code


def proxy_lockout() -> bool:
    """Behind one proxy, 20 wrong passwords from client A lock A out, not client B nor the whole office."""
    run = random.randrange(1, 250)  # a fresh pair of addresses each run: a lockout lasts 15 minutes
    a, b = f"203.0.113.{run}", f"198.51.100.{run}"
    for i in range(20):  # twenty NIP that do not exist: only the address can collect the failures
        _login_from(a, f"1990010120150310{i:02d}", "salah")
    from_a = _login_from(a, USERNAME, PASSWORD)
    from_b = _login_from(b, USERNAME, PASSWORD)
    print(f"Proxy lockout: after 20 failures from {a}, {a} gets {from_a} and {b} gets {from_b}")
    return from_a == 429 and from_b == 302


if __name__ == "__main__":
    client = logged_in()
    results = {
        "proxy lockout": proxy_lockout(),
        "postgres restart": postgres_restart(client),
        "redis down": redis_down(client),
    }
    for name, ok in results.items():
        print(f"{name}: {'nothing lost' if ok else 'FAILED'}")
    sys.exit(0 if all(results.values()) else 1)
