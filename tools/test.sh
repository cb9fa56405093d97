#!/usr/bin/env bash
# The whole test suite: install what is needed, check the notebooks are clean and the library in sync,
# run every library notebook (nbdev_test; slow cells need --flags slow) and the pytest suite in tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
VENV=${RRG_VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH" MPLBACKEND=Agg HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
echo "[test] notebooks clean (nbdev_clean changes nothing)"
digest() { find "$@" -type f \( -name '*.ipynb' -o -name '*.py' \) -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' | sort | xargs sha256sum | sha256sum; }
before=$(digest nbs); nbdev_clean; after=$(digest nbs)
if [ "$before" != "$after" ]; then echo "[test] FAIL: nbdev_clean changed notebooks in nbs/: run nbdev_clean and commit"; exit 1; fi
echo "[test] library in sync (nbdev_export changes nothing)"
before=$(digest rrg_nb); nbdev_export; after=$(digest rrg_nb)
if [ "$before" != "$after" ]; then echo "[test] FAIL: nbdev_export changed rrg_nb/: it was out of sync with nbs/; run nbdev_export and commit"; exit 1; fi
echo "[test] no unused imports in the library (ruff F401)"
ruff check --select F401 --no-cache --quiet rrg_nb --exclude rrg_nb/_modidx.py
echo "[test] nbdev_test ${RRG_TEST_FLAGS:+--flags $RRG_TEST_FLAGS}"
nbdev_test --timing ${RRG_TEST_FLAGS:+--flags "$RRG_TEST_FLAGS"}
echo "[test] pytest tests/"
python -m pytest tests/ "$@"
