#!/usr/bin/env bash
# Back up a Kinerja Kapuas database with pg_dump, restore it into a scratch
# database, and compare the row counts of the tables that matter.
# Usage: scripts/restore_check.sh postgres://user@host:5432/kinerja
set -euo pipefail
source_url="${1:?give the database URL to back up}"
server="${source_url%/*}"
scratch="kinerja_restore_check_$$"
dump="$(mktemp --suffix=.dump)"
trap 'rm -f "$dump"; psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true' EXIT

pg_dump --format=custom --no-owner --file="$dump" "$source_url"
echo "backup: $(du -h "$dump" | cut -f1) in $dump"
psql "$server/postgres" -qc "CREATE DATABASE $scratch"
pg_restore --no-owner --dbname="$server/$scratch" "$dump"

tables="opd_opd opd_unit opd_asn opd_user skp_period skp_monthlyrecord skp_statusrollup reminders_message tpp_finalisation tpp_basisrow reports_annualrecapupload helpdesk_ticket auditlog_logentry"
status=0
for table in $tables; do
  before=$(psql "$source_url" -tAc "SELECT count(*) FROM $table")
  after=$(psql "$server/$scratch" -tAc "SELECT count(*) FROM $table")
  if [ "$before" = "$after" ]; then echo "  $table: $after rows"; else echo "  $table: $before before, $after after: MISMATCH"; status=1; fi
done
[ $status = 0 ] && echo "restore check: every table came back whole"
exit $status
