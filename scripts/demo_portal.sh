# Sourced by loadtest/run.sh and faults/run.sh: the 8,000-ASN demo on PostgreSQL
# (seeded on first use, shared with make bench) and production settings except
# TLS (loopback), ready for gunicorn. Expects PY and the caller's extra env.
BENCH_PG="${BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
db=kinerja_bench_8000
psql "$BENCH_PG/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || psql "$BENCH_PG/postgres" -qc "CREATE DATABASE $db"
export DATABASE_URL="$BENCH_PG/$db" SECRET_KEY="demo-$(date +%s)-not-a-production-key-0123456789" \
  DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 LOG_LEVEL=WARNING
$PY manage.py migrate --no-input -v0
[ "$($PY manage.py shell -v 0 -c 'from opd.models import Asn; print(Asn.objects.count())')" -ge 7000 ] \
  || $PY manage.py seed_demo --asn 8000 >/dev/null
$PY manage.py collectstatic --no-input -v0
# The demo logins are used for real here: clear any lockout an earlier run left.
$PY manage.py shell -v 0 -c 'from axes.models import AccessAttempt; AccessAttempt.objects.all().delete()'

# Start gunicorn on 127.0.0.1:$1 with $2 workers and wait until it answers; stopped on exit.
start_portal() {
  .venv/bin/gunicorn kapuas_kinerja.wsgi --bind "127.0.0.1:$1" --workers "$2" --timeout 60 --log-level error &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$1/sehat/" >/dev/null && break; sleep 0.2; done
}
