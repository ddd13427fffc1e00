#!/usr/bin/env bash
# The command line on a generated ledger of 100 000 clients over 24 months (about 8.6 M rows):
# generate piped into score, every client scored, riskiest first, the same output twice.
set -euo pipefail
cli="$1"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$cli" generate --clients 100000 --months 24 --seed 3 > "$out/ledger.csv"
"$cli" score --events "$out/ledger.csv" --format csv > "$out/a.csv"
"$cli" score --events - --format csv < "$out/ledger.csv" > "$out/b.csv"
cmp "$out/a.csv" "$out/b.csv"
rows=$(($(wc -l < "$out/a.csv") - 1))
# Clients who join after the last event date have no events: all others are scored.
if [ "$rows" -lt 99900 ] || [ "$rows" -gt 100000 ]; then echo "scored $rows clients"; exit 1; fi
# Riskiest first: the score column never rises.
awk -F, 'NR > 2 && $2 > prev { print "not sorted at line " NR; bad = 1 } NR > 1 { prev = $2 } END { exit bad }' "$out/a.csv"
# Every band shows up.
for band in low moderate high critical; do grep -q ",$band," "$out/a.csv" || { echo "no $band client"; exit 1; }; done
echo "scored $rows clients"
