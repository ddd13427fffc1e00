#!/usr/bin/env bash
# Builds the API reference (the clientrisk_docs target) and checks it: no Doxygen warning, the user
# guide as its main page, and the comments of the C and C++ headers on their pages.
set -euo pipefail
build=$1 html=$1/api/html
log=$(cmake --build "$build" --target clientrisk_docs 2>&1) || { echo "$log"; exit 1; }
if grep -i 'warning' <<< "$log"; then echo "FAIL: Doxygen warned"; exit 1; fi
check() {  # FILE TEXT
  grep -q "$2" "$html/$1" || { echo "FAIL: $1 lacks '$2'"; exit 1; }
}
check index.html 'In an ERP, through the C ABI'
check clientrisk_8h.html 'The limits of an engine'
check clientrisk_8h.html 'cr_engine_score_all'
check classclientrisk_1_1v1_1_1Engine.html 'Replaces the model'
check classclientrisk_1_1v1_1_1Engine.html 'set_portfolio_revenue_12m'
echo "API reference: $(ls "$html" | wc -l) files in $html"
