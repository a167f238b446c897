#!/usr/bin/env bash
# Issue 14's quality-versus-compute measurements through flowrun (docs/test-time-scaling.md):
# best-of-N search (Graphs/lib/search-video.yaml) at N = 1, 2, 4, 8 and beams 1, 2, and speculative
# decoding (Graphs/lib/speculative-video.yaml) at several tau against the denoiser alone
# (Graphs/lib/generate-video.yaml), on held-out scripts 41,000,000+ (never used for any decision).
#
#   Training/eval_test_time_scaling.sh search 32        # N scripts each; JSON into out/eval14/
#   Training/eval_test_time_scaling.sh search-verifier 32   # the same search scored by reward.verifier
#   Training/eval_test_time_scaling.sh speculative 32
#   Training/eval_test_time_scaling.sh speculative-2step 16   # the same with a two-step unguided draft
#   python3 Training/tts_table.py out/eval14            # the markdown tables
#
# FLOWRUN=path picks the binary (default .build/release/flowrun); SEED0 the first script.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:?search or speculative}"
n="${2:-32}"
flowrun="${FLOWRUN:-.build/release/flowrun}"
seed0="${SEED0:-41000000}"
dir="${OUT_DIR:-out/eval14}"
mkdir -p "$dir"
run() {
    local name="$1"; shift
    [ -f "$dir/$name.json" ] && { echo "$name: done already"; return; }
    nice -n 3 python3 Training/eval_flowrun.py --flowrun "$flowrun" --n "$n" --seed0 "$seed0" --out "$dir/$name.json" "$@"
}
case "$what" in
search)
    run plain --lib Graphs/lib/generate-video.yaml
    for n_candidates in 1 2 4 8; do
        run "search_n${n_candidates}_b1" --lib Graphs/lib/search-video.yaml --param candidates=$n_candidates --param beams=1 --capture "search:"
    done
    run search_n2_b2 --lib Graphs/lib/search-video.yaml --param candidates=2 --param beams=2 --capture "search:"
    ;;
search-verifier)
    for n_candidates in ${VERIFIER_CANDIDATES:-4}; do
        run "verifier_n${n_candidates}_b1" --lib Graphs/lib/search-video.yaml --param scorer=reward.verifier \
            --param candidates=$n_candidates --param beams=1 --capture "search:"
    done
    ;;
speculative)
    run plain --lib Graphs/lib/generate-video.yaml
    for tau in ${TAUS:-0.02 0.1 0.3}; do
        run "speculative_tau$tau" --lib Graphs/lib/speculative-video.yaml --param tau=$tau --capture "speculative"
    done
    run speculative_verifier_tau0.5 --lib Graphs/lib/speculative-video.yaml --param scorer=reward.verifier --param tau=0.5 --capture "speculative"
    ;;
speculative-2step)
    # the cheaper draft: two steps without guidance (the drafter's calls fall from 8 to 2 a block)
    two_step=(--param 'draft_steps=[1000, 500]' --param draft_guidance=1)
    for tau in ${TAUS:-0 0.3}; do
        run "speculative_2step_tau$tau" --lib Graphs/lib/speculative-video.yaml --param tau=$tau "${two_step[@]}" --capture "speculative"
    done
    run speculative_2step_verifier_tau0.5 --lib Graphs/lib/speculative-video.yaml --param scorer=reward.verifier --param tau=0.5 \
        "${two_step[@]}" --capture "speculative"
    ;;
*) echo "usage: $0 search|search-verifier|speculative|speculative-2step [scripts]" >&2; exit 2 ;;
esac
