"""Step time of every dual-loop method against plain (clean-only) training: same model, data, batch size and threads,
measured in one process, the methods run in turn and the whole round repeated, so that load from other processes
falls on all of them alike. The time of a step is the trainer's whole step (collation with the degradations, the
passes, the optimiser), from one step's end to the next; the first steps of each run are dropped as warm-up.

    python papers/lrrg/step_cost.py                       # small preset, batch 8, IU-Phantom, all methods
    python papers/lrrg/step_cost.py --methods clean mldg+gc --gc-every 4 --steps 12 --repeats 3

Prints a table (mean and median s/step, and the ratio of means to clean) and writes it to papers/lrrg/step_cost.json.
"""
import argparse, json, logging, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--methods", nargs="+", default=["clean", "mixed", "both", "mldg", "mldg+gc", "fish", "pcgrad"])
    ap.add_argument("--model", default="small"); ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--steps", type=int, default=32, help="measured steps per run (after --warmup)")
    ap.add_argument("--warmup", type=int, default=2); ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--gc-weight", type=float, default=0.1); ap.add_argument("--gc-every", type=int, default=16)
    ap.add_argument("--image-size", type=int, default=112); ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "papers" / "lrrg" / "step_cost.json"))
    a = ap.parse_args(argv)
    if any(m.endswith("+gc") for m in a.methods) and a.steps % a.gc_every:
        ap.error(f"--steps {a.steps} is not a multiple of --gc-every {a.gc_every}: the measured steps would not hold whole consistency cycles")
    import torch
    from transformers import TrainerCallback
    from rrg_nb.core import save_json
    from rrg_nb.runs import load_studies, run_splits
    from rrg_nb.model import load_policy
    from rrg_nb.prompts import sft_rows
    from rrg_nb.train import sft_config
    from rrg_nb.dual import train_dual
    logging.getLogger("transformers").setLevel(logging.ERROR)
    if a.threads: torch.set_num_threads(a.threads)
    train, _, _ = run_splits(load_studies("iu_phantom"), 0, 0)
    n = a.batch_size * (a.steps + a.warmup)
    rows = sft_rows(train[:n], "plain", image_size=a.image_size)
    texts = [s.report for s in train]

    class Clock(TrainerCallback):
        def __init__(self): self.t = []
        def on_step_end(self, args, state, control, **kw): self.t.append(time.perf_counter())

    times = {m: [] for m in a.methods}
    for r in range(a.repeats):
        for m in a.methods:
            method, gc = (m.split("+")[0], a.gc_weight) if m.endswith("+gc") else (m, 0.0)
            model, proc = load_policy(a.model, texts=texts, seed=0)
            clock = Clock()
            with tempfile.TemporaryDirectory() as d:
                cfg = sft_config(Path(d), steps=a.steps + a.warmup, batch_size=a.batch_size, lr=1e-4, save_steps=10**6,
                                 disable_tqdm=True)
                train_dual(model, proc, rows, cfg, dual=dict(method=method, gc_weight=gc, gc_every=a.gc_every), callbacks=[clock])
            dt = np.diff(clock.t[a.warmup - 1:]) if a.warmup else np.diff(clock.t)
            times[m] += dt.tolist()
            print(f"round {r + 1}, {m}: {np.median(dt):.3f} s/step over {len(dt)} steps", flush=True)
    # the ratio is of means: a lazy consistency term costs one step in gc_every, which a median would hide
    base = float(np.mean(times[a.methods[0]]))
    res = {m: {"mean_s_per_step": float(np.mean(t)), "median_s_per_step": float(np.median(t)), "ratio_vs_" + a.methods[0]: float(np.mean(t)) / base,
               "steps": len(t)} for m, t in times.items()}
    print(f"\n{'method':<10} {'mean s/step':>12} {'median':>8} {'x ' + a.methods[0] + ' (means)':>16}")
    for m, v in res.items(): print(f"{m:<10} {v['mean_s_per_step']:>12.3f} {v['median_s_per_step']:>8.3f} {v['ratio_vs_' + a.methods[0]]:>16.2f}")
    save_json({"config": vars(a), "torch_threads": torch.get_num_threads(), "results": res}, a.out)


if __name__ == "__main__":
    main()
