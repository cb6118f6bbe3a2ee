"""Summarise locust's CSV: requests per second, median and p95 latency, errors; exit 1 past the target."""

import csv
import sys

P95_TARGET_MS = 500

with open(sys.argv[1], encoding="utf-8") as stats:
    rows = list(csv.DictReader(stats))
print(f"{'request':<34} {'count':>7} {'fails':>6} {'req/s':>7} {'median':>8} {'p95':>8}")
for row in rows:
    print(
        f"{row['Name'][:34]:<34} {row['Request Count']:>7} {row['Failure Count']:>6} "
        f"{float(row['Requests/s']):>7.1f} {row['50%']:>6}ms {row['95%']:>6}ms"
    )
total = next(r for r in rows if r["Name"] == "Aggregated")
failures, p95 = int(total["Failure Count"]), float(total["95%"])
ok = failures == 0 and p95 <= P95_TARGET_MS
print(
    f"\n50 users, 60 s: {float(total['Requests/s']):.1f} requests/s, median {total['50%']} ms, "
    f"p95 {p95:.0f} ms, {failures} errors: {'target met' if ok else 'TARGET NOT MET'} "
    f"(no errors, p95 <= {P95_TARGET_MS} ms)"
)
sys.exit(0 if ok else 1)
