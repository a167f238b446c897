#!/usr/bin/env bash
# The one prepared command for a GPU machine (Training/README.md, "On a GPU machine"):
#     bash Training/gpu_train_all.sh "$OUT"        # trains world-tiny v2 in ~9 minutes, exports the model folder into $OUT
# Options after OUT_DIR go to Training/gpu_train_all.py (--help lists them: stage budgets, --total_s, --workers, --amp).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 1 ]; then echo "usage: bash Training/gpu_train_all.sh OUT_DIR [options]" >&2; exit 2; fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader || true
exec python3 -u Training/gpu_train_all.py "$@"
