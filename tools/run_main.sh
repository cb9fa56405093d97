#!/usr/bin/env bash
# The README's main job: install (first time), then run the most complete experiment notebook with papermill.
# That is nbs/run_grpo.ipynb with -p reward mccs (SFT first, then GRPO); extra args go to papermill.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
VENV=${RRG_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH" MPLBACKEND=Agg TOKENIZERS_PARALLELISM=false
OUT=${RRG_OUT:-runs/grpo}  # run_grpo's own default output_dir, where the README's next commands look
mkdir -p "$OUT"
for nb in run_grpo run_sft run_eval run_aqaa run_label; do
  if [ -f "nbs/$nb.ipynb" ]; then
    [ "$nb" = run_grpo ] && set -- -p reward mccs "$@"
    echo "[main] papermill --log-output nbs/$nb.ipynb $OUT/$nb.ipynb -p output_dir $OUT $*"
    exec papermill --log-output "nbs/$nb.ipynb" "$OUT/$nb.ipynb" -p output_dir "$OUT" "$@"
  fi
done
echo "[main] no run_*.ipynb found" >&2; exit 1
