#!/bin/sh
# A check on the 16-script table: 48 further scripts (51,000,016+), baseline and attention compression only.
set -e
FLOWRUN=${FLOWRUN:-.build/release/flowrun}
OUT=docs/measurements/kv-compression/extension
mkdir -p "$OUT"
run() {
    name=$1; shift
    nice -n 5 python3 Training/eval_flowrun.py --flowrun "$FLOWRUN" --n 48 --seconds 30 --seed0 51000016 \
        --capture 'peak .* MiB' "$@" --out "$OUT/$name.json"
}
run none                 --param quantize=none
run attention-keep0.5    --param compress=attention --param keep=0.5
run attention-keep0.25   --param compress=attention --param keep=0.25
