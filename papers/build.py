"""Rebuild one paper's CPU-scale tables: run every config in papers/<paper>/configs for each seed (runs recorded before
are kept), then execute the paper's table notebook, which reads only the runs' metrics.json files.

    python papers/build.py mrg_r1 --seeds 0 1 2            # all rows
    python papers/build.py mrg_r1 --rows mccs nlg --seeds 0  # some rows
    python papers/build.py mrg_r1 --table-only              # just the table, from the recorded runs
    python papers/build.py mrg_r1 --rerun --rows mccs       # run again from scratch although recorded (after a code change)
    python papers/build.py mrg_r1 --set steps=40 --set n_test=200   # override parameters of every GRPO/SFT run

Each run goes to runs/<paper>/<row>/seed<k>/ (executed notebook, checkpoint, metrics.json, figures: large, not in git),
and its metrics.json is recorded in papers/<paper>/runs/<row>/seed<k>/metrics.json (small, in git). The table notebook
reads the recorded files and writes papers/<paper>/table.md, table.csv and figure.png, so a fresh clone rebuilds the
tables with --table-only, and a later session adds seeds or rows without rerunning the others. Runs with --set
overrides are not the paper's configs: they are neither recorded nor put in papers/; their table goes to the runs folder.
"""
import argparse, os, shutil, subprocess, sys
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

def record(src: Path, dst: Path) -> Path:
    "Copy a run's metrics.json to the paper's record atomically (a killed copy leaves the old record or none)."
    if Path(src).resolve() == Path(dst).resolve(): return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp"); shutil.copyfile(src, tmp); os.replace(tmp, dst)
    return dst

def run(cfg: dict, seed: int, runs: Path, overrides: dict, recorded: Path, rerun: bool = False) -> Path:
    "Run one row and seed unless recorded (or finished under runs/ and not yet recorded); record its metrics.json."
    out = runs / cfg["row"] / f"seed{seed}"; rec = recorded / cfg["row"] / f"seed{seed}" / "metrics.json"
    if rec.exists() and not rerun: print(f"  {cfg['row']} seed {seed}: recorded before ({rec.relative_to(ROOT) if rec.is_relative_to(ROOT) else rec}), kept"); return rec
    if (out / "metrics.json").exists() and not rerun:
        print(f"  {cfg['row']} seed {seed}: finished before in {out}, recorded"); return record(out / "metrics.json", rec)
    if rerun and out.exists():  # from scratch: a run folder's trainer checkpoints would resume the old run (re-evaluating it)
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    params = {**cfg["params"], **overrides, "seed": seed, "output_dir": str(out)}
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / f"{cfg['notebook']}.ipynb"), str(out / f"{cfg['notebook']}.ipynb")]
    for k, v in params.items(): cmd += ["-p", k, str(v)]
    print(f"  {cfg['row']} seed {seed}: {' '.join(cmd[3:])}", flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return record(out / "metrics.json", rec)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paper"); ap.add_argument("--seeds", type=int, nargs="+", default=[0]); ap.add_argument("--rows", nargs="*")
    ap.add_argument("--runs", default=None, help="folder for the full run outputs (default runs/<paper>)"); ap.add_argument("--table-only", action="store_true")
    ap.add_argument("--rerun", action="store_true", help="run the selected rows and seeds again from scratch (their run folders are deleted first) although recorded")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="parameter for every run")
    a = ap.parse_args(argv)
    cfgs = load_configs(a.paper); runs = Path(a.runs or ROOT / "runs" / a.paper); recorded = ROOT / "papers" / a.paper / "runs"
    unknown = set(a.rows or []) - set(cfgs)
    if unknown: ap.error(f"unknown rows {sorted(unknown)}; rows of {a.paper}: {', '.join(cfgs)}")
    overrides = {}
    for s in a.set:
        if "=" not in s: ap.error(f"--set takes NAME=VALUE, not '{s}'")
        k, v = s.split("=", 1); overrides[k] = _value(v)
    out_dir = ROOT / "papers" / a.paper
    if overrides:  # not the configs' runs: keep them and their table out of papers/
        recorded = out_dir = runs; runs.mkdir(parents=True, exist_ok=True); shutil.copy(ROOT / "papers" / a.paper / "reported.csv", runs)
        print(f"--set given: runs and table stay in {runs}; papers/{a.paper} is left as it is")
    if not a.table_only:
        for row in a.rows or list(cfgs):
            for seed in a.seeds: run(cfgs[row], seed, runs, overrides, recorded, a.rerun)
    nb = ROOT / "papers" / a.paper / "table.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(nb), str(runs / "table.ipynb"), "-p", "runs_dir", str(recorded),
                    "-p", "out_dir", str(out_dir)], check=True, cwd=ROOT)
    print(f"table: {out_dir / 'table.md'}")

if __name__ == "__main__":
    main()
