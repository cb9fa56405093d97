"""Rebuild one paper's CPU-scale tables: run every config in papers/<paper>/configs for each seed (runs that finished
before are kept), then execute the paper's table notebook, which reads only the runs' metrics.json files.

    python papers/build.py mrg_r1 --seeds 0 1 2            # all rows
    python papers/build.py mrg_r1 --rows sft mccs --seeds 0  # some rows
    python papers/build.py mrg_r1 --table-only              # just the table, from the runs there are
    python papers/build.py mrg_r1 --set steps=40 --set n_test=200   # override parameters of every GRPO/SFT run

Each run goes to runs/<paper>/<row>/seed<k>/ (executed notebook, metrics.json, figures); the table notebook writes
papers/<paper>/table.md, table.csv and figure.png.
"""
import argparse, subprocess, sys
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]

def load_configs(paper: str) -> dict:
    "{row: config} from papers/<paper>/configs/*.yaml, each with notebook, row, params."
    out = {}
    for f in sorted((ROOT / "papers" / paper / "configs").glob("*.yaml")):
        cfg = yaml.safe_load(f.read_text()) or {}
        for k in ("notebook", "row"):
            if k not in cfg: raise ValueError(f"{f}: missing field '{k}'")
        cfg.setdefault("params", {}); out[cfg["row"]] = cfg
    if not out: raise FileNotFoundError(f"no configs in papers/{paper}/configs")
    return out

def _value(v: str):
    try: return yaml.safe_load(v)
    except yaml.YAMLError: return v

def run(cfg: dict, seed: int, runs: Path, overrides: dict) -> Path:
    out = runs / cfg["row"] / f"seed{seed}"
    if (out / "metrics.json").exists(): print(f"  {cfg['row']} seed {seed}: done before, kept"); return out
    out.mkdir(parents=True, exist_ok=True)
    params = {**cfg["params"], **overrides, "seed": seed, "output_dir": str(out)}
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / f"{cfg['notebook']}.ipynb"), str(out / f"{cfg['notebook']}.ipynb")]
    for k, v in params.items(): cmd += ["-p", k, str(v)]
    print(f"  {cfg['row']} seed {seed}: {' '.join(cmd[3:])}", flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return out

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paper"); ap.add_argument("--seeds", type=int, nargs="+", default=[0]); ap.add_argument("--rows", nargs="*")
    ap.add_argument("--runs", default=None, help="runs folder (default runs/<paper>)"); ap.add_argument("--table-only", action="store_true")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="parameter for every run")
    a = ap.parse_args(argv)
    cfgs = load_configs(a.paper); runs = Path(a.runs or ROOT / "runs" / a.paper)
    unknown = set(a.rows or []) - set(cfgs)
    if unknown: ap.error(f"unknown rows {sorted(unknown)}; rows of {a.paper}: {', '.join(cfgs)}")
    overrides = {}
    for s in a.set:
        if "=" not in s: ap.error(f"--set takes NAME=VALUE, not '{s}'")
        k, v = s.split("=", 1); overrides[k] = _value(v)
    if not a.table_only:
        for row in a.rows or list(cfgs):
            for seed in a.seeds: run(cfgs[row], seed, runs, overrides)
    nb = ROOT / "papers" / a.paper / "table.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(nb), str(runs / "table.ipynb"), "-p", "runs_dir", str(runs),
                    "-p", "out_dir", str(ROOT / "papers" / a.paper)], check=True, cwd=ROOT)
    print(f"table: papers/{a.paper}/table.md")

if __name__ == "__main__":
    main()
