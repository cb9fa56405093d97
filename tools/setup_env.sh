#!/usr/bin/env bash
# Create the project's virtual environment (.venv, or $RRG_VENV) and install rrg_nb into it, editable, with the
# pinned versions in constraints.txt. Idempotent: it reinstalls only when pyproject.toml or constraints.txt change.
# torch/torchvision are installed first and on their own: torch==2.14.1 and torchvision==0.29.1 are a pair that
# imports together (PyPI's torchvision does not import beside the 2.13.0 CPU build).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${RRG_VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV with $($PY --version)"
  "$PY" -m venv "$VENV"
fi
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
stamp="$VENV/.rrg_nb_installed"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] installing torch + torchvision, then rrg_nb[dev] (a few minutes the first time)"
  # (this machine's pip config names local index folders that may not exist: pip's warnings about them are filtered)
  quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
  quiet "$VENV/bin/python" -m pip install -q --disable-pip-version-check "torch==2.14.1" "torchvision==0.29.1"
  quiet "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
  "$VENV/bin/python" -c "import torch, torchvision, transformers, trl, nbdev; print('[setup] torch', torch.__version__, 'torchvision', torchvision.__version__, 'transformers', transformers.__version__, 'trl', trl.__version__)"
  echo "$want" > "$stamp"
fi
