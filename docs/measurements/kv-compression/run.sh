#!/bin/sh
# Issue 15, deliverable 5: K/V memory vs quality on the same scripts (51,000,000+, 16 scripts, 30 s clips).
# Run from the repository root after `swift build -c release` (FLOWRUN: the flowrun binary it made).
set -e
FLOWRUN=${FLOWRUN:-.build/release/flowrun}
OUT=docs/measurements/kv-compression
run() {
    name=$1; shift
    nice -n 5 python3 Training/eval_flowrun.py --flowrun "$FLOWRUN" --n 16 --seconds 30 --seed0 51000000 \
        --capture 'peak .* MiB' "$@" --out "$OUT/$name.json"
}
run none                 --param quantize=none
run int8                 --param quantize=int8
run 4bit                 --param quantize=4bit
run attention-keep0.5    --param compress=attention --param keep=0.5
run attention-keep0.25   --param compress=attention --param keep=0.25
run attention-keep0.5-int8 --param compress=attention --param keep=0.5 --param quantize=int8
# Control: keep 1 keeps every token, so the clips must equal the baseline's (the cost is the attention measurement).
run attention-keep1      --param compress=attention --param keep=1
