#!/usr/bin/env bash
# make loadtest: gunicorn with production settings (except TLS: it is loopback),
# PostgreSQL with the 8,000-ASN demo data, and 50 locust users for 60 s.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
source scripts/demo_portal.sh
# The demo logins that open OPD pages, as username:OPD.
KINERJA_LOGINS="$($PY manage.py shell -v 0 -c '
from opd.models import User
rows = [(u.username, u.opd.kode if u.opd else "DISDIK") for u in User.objects.filter(role__in=["kepala_opd", "operator_opd", "admin_bkpsdm"])]
print(",".join(f"{name}:{kode}" for name, kode in rows))')"
export KINERJA_LOGINS
port=8050
start_portal $port 3

out=var/loadtest
mkdir -p $out
.venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$port" \
  --users 50 --spawn-rate 5 --run-time 60s --csv $out/result --only-summary --loglevel WARNING >/dev/null 2>&1 || true
$PY loadtest/report.py $out/result_stats.csv
