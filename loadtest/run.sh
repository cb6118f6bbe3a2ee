#!/usr/bin/env bash
# make loadtest: gunicorn with production settings (except TLS: it is loopback),
# PostgreSQL with the 8,000-ASN demo data, and 50 locust users for 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BENCH_PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
db=kinerja_bench_8000
psql "$BENCH_PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || psql "$BENCH_PG/postgres" -qc "CREATE DATABASE $db"
export DATABASE_URL="$BENCH_PG/$db" SECRET_KEY="loadtest-$(date +%s)-not-a-production-key-0123456789" \
  DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING
$PY manage.py migrate --no-input -v0
[ "$($PY manage.py shell -v 0 -c 'from opd.models import Asn; print(Asn.objects.count())')" -ge 7000 ] \
  || $PY manage.py seed_demo --asn 8000 >/dev/null
$PY manage.py collectstatic --no-input -v0
# The demo logins that open OPD pages, as username:OPD.
KINERJA_LOGINS="$($PY manage.py shell -v 0 -c '
from opd.models import User
rows = [(u.username, u.opd.kode if u.opd else "DISDIK") for u in User.objects.filter(role__in=["kepala_opd", "operator_opd", "admin_bkpsdm"])]
print(",".join(f"{name}:{kode}" for name, kode in rows))')"
export KINERJA_LOGINS
# Logins in a load test are real logins: clear any lockout left from an earlier run.
$PY manage.py shell -v 0 -c 'from axes.models import AccessAttempt; AccessAttempt.objects.all().delete()'

port=8050
.venv/bin/gunicorn kapuas_kinerja.wsgi --bind 127.0.0.1:$port --workers 3 --timeout 60 --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/sehat/" >/dev/null && break; sleep 0.2; done

out=var/loadtest
mkdir -p $out
.venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$port" \
  --users 50 --spawn-rate 5 --run-time 60s --csv $out/result --only-summary --loglevel WARNING >/dev/null 2>&1 || true
$PY loadtest/report.py $out/result_stats.csv
