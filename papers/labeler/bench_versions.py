"""Speed of the rule labeler against an earlier version of it, side by side in one process.

    python papers/labeler/bench_versions.py --rev fa44bbf --rounds 7

Loads `rrg_nb/labeler.py` as it was at git revision REV (its relative imports pointed at the installed `rrg_nb`), and
times `RuleLabeler._label` (no cache) of both versions on all IU X-Ray reports, alternating, best of ROUNDS in CPU time.
Prints reports/s of each and the ratio of their times (the issue's budget: the new version at most 10% slower).
"""
import argparse, importlib.util, re, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def old_labeler(rev: str):
    src = subprocess.run(["git", "show", f"{rev}:rrg_nb/labeler.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    src = re.sub(r"^from \.(\w+) import", r"from rrg_nb.\1 import", src, flags=re.M)
    f = Path(tempfile.mkdtemp()) / "labeler_old.py"; f.write_text(src)
    spec = importlib.util.spec_from_file_location("labeler_old", f); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    return m


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rev", default="fa44bbf", help="git revision of the earlier labeler (default: labeler v1)")
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import rrg_nb.labeler as cur
    from rrg_nb.data import iu_xray_studies
    reps = [s.report for s in iu_xray_studies()]
    labs = {f"at {a.rev}": old_labeler(a.rev).RuleLabeler(cache=False), "current": cur.RuleLabeler(cache=False)}
    for lab in labs.values(): lab._label(reps[:50])  # warm-up
    best = {k: float("inf") for k in labs}
    for _ in range(a.rounds):
        for k, lab in labs.items():
            c0 = time.process_time(); lab._label(reps); best[k] = min(best[k], time.process_time() - c0)
    for k, t in best.items(): print(f"{k:>12}: {len(reps) / t:8.0f} reports/s (CPU time, best of {a.rounds}), {t:.3f} s for {len(reps)} reports")
    print(f"current / at {a.rev} time: {best['current'] / best[f'at {a.rev}']:.3f}")


if __name__ == "__main__":
    main()
