"Run a notebook of nbs/ through papermill in a subprocess, as a user launches an experiment (shared by the test files)."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def papermill(nb: str, out_dir, expect_ok: bool = True, **params) -> subprocess.CompletedProcess:
    "Execute nbs/`nb` with `output_dir=out_dir` and `params`; the executed notebook lands in out_dir. Fails the test unless it ran, when `expect_ok`."
    out_dir = Path(out_dir); out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / nb), str(out_dir / nb), "-p", "output_dir", str(out_dir)]
    for k, v in params.items(): cmd += ["-p", k, str(v)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if expect_ok: assert r.returncode == 0, f"{nb} failed:\n{r.stderr[-3000:]}"
    return r
