#!/usr/bin/env bash
# make faults: the fault behaviour of issue "production shape", on this machine's
# PostgreSQL and Redis (it restarts them: not for a server others are using).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export REDIS_URL="redis://127.0.0.1:6379/0"
source scripts/demo_portal.sh
# A nudge goes once a day per ASN: forget an earlier run's, so this one has something to send.
$PY manage.py shell -v 0 -c 'from reminders.models import Message; Message.objects.filter(kind="nudge").delete()'
KEPALA="$($PY manage.py shell -v 0 -c 'from opd.models import User; print(User.objects.get(role="kepala_opd", opd__kode="DINKES").username)')"
PERIOD="$($PY manage.py shell -v 0 -c 'from django.utils import timezone; from skp import rules; print(rules.period_key(*rules.previous_period(timezone.localdate())))')"
cluster="$(ls /etc/postgresql)"
export KEPALA PERIOD PORTAL="http://127.0.0.1:8060" \
  PG_RESTART="pg_ctlcluster --skip-systemctl-redirect $cluster main restart" \
  REDIS_STOP="redis-cli -p 6379 shutdown nosave || true" \
  REDIS_START="redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"

# check.py plays the regency's proxy: it connects from loopback and appends the client to X-Forwarded-For.
export TRUSTED_PROXY_COUNT=1
start_portal 8060 2
status=0
$PY faults/check.py || status=1

echo "A mail server that rate-limits (421 after ${FAULTS_MAIL_PER_MINUTE:-15} a minute): the outbox backs off and delivers later:"
$PY faults/mail_ratelimit.py || status=1

echo "Worker killed mid-sync and mid-send, BKN down for a day, broker down (tests):"
unset DATABASE_URL REDIS_URL DEBUG SECURE_SSL_REDIRECT SECURE_COOKIES
$PY -m pytest -q -p no:logging tests/test_faults.py \
  "tests/skp/test_sync.py::test_an_interrupted_sync_is_completed_by_the_next_with_nothing_lost_or_doubled" \
  "tests/skp/test_sync.py::test_every_fault_ends_with_the_same_database_as_a_clean_run" \
  "tests/reminders/test_outbox.py::test_a_crash_between_sending_and_confirming_leaves_the_message_uncertain_not_resent" \
  "tests/reminders/test_outbox.py::test_a_task_run_twice_sends_each_message_once" \
  "tests/reminders/test_views.py::test_a_nudge_is_kept_when_the_broker_is_down_and_sent_by_the_next_sweep" || status=1
exit $status
