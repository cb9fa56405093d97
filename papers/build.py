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

Each table.md ends with caveats written from papers/standins.py (versions, CE convention, cells, every stand-in the
recorded configs imply); tests/test_standins.py checks them against the record.

A config with `init_from: <row>` starts from that row's final checkpoint of the same seed (UniRG's Step 2 from Step 1):
the row it names runs first, and again from scratch when its checkpoint is gone (a fresh clone keeps only metrics).
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
    for row, cfg in out.items():
        dep = cfg.get("init_from")
        if dep is None: continue
        if dep not in out: raise ValueError(f"papers/{paper}/configs: row '{row}' has init_from '{dep}', which is no row of {paper}")
        if out[dep].get("init_from"): raise ValueError(f"papers/{paper}/configs: row '{row}' starts from '{dep}', which starts from another row (one level only)")
        if "init_checkpoint" in cfg["params"]: raise ValueError(f"papers/{paper}/configs: row '{row}' gives both init_from and params.init_checkpoint")
    return out

def run_order(cfgs: dict, rows) -> list:
    "The selected rows with every row another starts from (init_from) placed before it."
    rows = list(rows); first = [r for r in rows if any(cfgs[o].get("init_from") == r for o in rows)]
    return first + [r for r in rows if r not in first]

def _value(v: str):
    try: return yaml.safe_load(v)
    except yaml.YAMLError: return v

def record(src: Path, dst: Path) -> Path:
    "Copy a run's metrics.json to the paper's record atomically (a killed copy leaves the old record or none)."
    if Path(src).resolve() == Path(dst).resolve(): return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp"); shutil.copyfile(src, tmp); os.replace(tmp, dst)
    return dst

def start_checkpoint(cfgs: dict, cfg: dict, seed: int, runs: Path, overrides: dict, recorded: Path) -> dict:
    "{'init_checkpoint': ...} for a row with init_from (running that row again when its checkpoint is gone)."
    dep = cfg["init_from"]
    if cfgs is None or dep not in cfgs: raise ValueError(f"row '{cfg['row']}' starts from row '{dep}': pass the paper's configs (cfgs) to run it")
    ckpt = runs / dep / f"seed{seed}" / "checkpoint-final"
    if not (ckpt / "config.json").exists():
        print(f"  {cfg['row']} seed {seed} starts from {dep}'s checkpoint, which is not in {ckpt.parent}: running {dep} first", flush=True)
        run(cfgs[dep], seed, runs, overrides, recorded, rerun=True, cfgs=cfgs)
    return {"init_checkpoint": str(ckpt)}

def run(cfg: dict, seed: int, runs: Path, overrides: dict, recorded: Path, rerun: bool = False, cfgs: dict = None) -> Path:
    "Run one row and seed unless recorded (or finished under runs/ and not yet recorded); record its metrics.json. `cfgs`: all rows, for init_from."
    out = runs / cfg["row"] / f"seed{seed}"; rec = recorded / cfg["row"] / f"seed{seed}" / "metrics.json"
    if rec.exists() and not rerun: print(f"  {cfg['row']} seed {seed}: recorded before ({rec.relative_to(ROOT) if rec.is_relative_to(ROOT) else rec}), kept"); return rec
    if (out / "metrics.json").exists() and not rerun:
        print(f"  {cfg['row']} seed {seed}: finished before in {out}, recorded"); return record(out / "metrics.json", rec)
    if rerun and out.exists():  # from scratch: a run folder's trainer checkpoints would resume the old run (re-evaluating it)
        shutil.rmtree(out)
    start = start_checkpoint(cfgs, cfg, seed, runs, overrides, recorded) if cfg.get("init_from") else {}
    out.mkdir(parents=True, exist_ok=True)
    params = {**cfg["params"], **start, **overrides, "seed": seed, "output_dir": str(out)}
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
        for row in run_order(cfgs, a.rows or list(cfgs)):
            for seed in a.seeds: run(cfgs[row], seed, runs, overrides, recorded, a.rerun, cfgs)
    nb = ROOT / "papers" / a.paper / "table.ipynb"
    runs.mkdir(parents=True, exist_ok=True)  # papermill writes the executed table notebook there (absent on a fresh clone)
    subprocess.run([sys.executable, "-m", "papermill", str(nb), str(runs / "table.ipynb"), "-p", "runs_dir", str(recorded),
                    "-p", "out_dir", str(out_dir)], check=True, cwd=ROOT)
    print(f"table: {out_dir / 'table.md'}")

if __name__ == "__main__":
    main()
