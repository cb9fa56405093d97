"""SFT step time: TRL's fused LM head against the model's own cross-entropy, side by side in one run.

`rrg_nb.train.train_sft` takes the plain loss path (`Trainer.compute_loss`) on CPU and TRL's fused, chunked LM head
on GPU. This benchmark is the measurement behind that default: the same model, data and seed trained for a few steps
each way, alternating, after one untimed warm-up run of each, and the losses of both runs printed beside each other
(they must agree: the two paths compute the same cross-entropy).

    python papers/sft/bench_sft_loss.py                 # small preset, MRG-R1 template, batch 16, 12 steps, ~3 min on 2 cores
    python papers/sft/bench_sft_loss.py --preset tiny --steps 6
"""
import argparse, shutil, tempfile, time
import torch


def run(fused, preset, rows, texts, steps, batch_size, workdir):
    from rrg_nb.model import load_policy, freeze_vision
    from rrg_nb.train import sft_config, train_sft
    model, proc = load_policy(preset, texts=texts)
    freeze_vision(model)
    out = f"{workdir}/{'fused' if fused else 'plain'}"
    shutil.rmtree(out, ignore_errors=True)
    cfg = sft_config(out, steps=steps, lr=1e-3, batch_size=batch_size, save_steps=10**6)
    t0 = time.perf_counter()
    trainer = train_sft(model, proc, rows, cfg, fused_lm_head=fused)  # trains (train_sft resumes or starts the run)
    dt = (time.perf_counter() - t0) / steps
    return dt, [h["loss"] for h in trainer.state.log_history if "loss" in h]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="small"); ap.add_argument("--template", default="mrg_r1")
    ap.add_argument("--steps", type=int, default=12); ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--n-train", type=int, default=400)
    a = ap.parse_args()
    from rrg_nb.runs import load_studies, run_splits
    from rrg_nb.prompts import sft_rows
    train, _, _ = run_splits(load_studies("iu_phantom"), 0, 0)
    texts = [s.report for s in train] + [s.indication for s in train]
    rows = sft_rows(train[:a.n_train], a.template, image_size=112)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; preset {a.preset}, template {a.template}, "
          f"batch {a.batch_size}, {a.steps} steps per run")
    with tempfile.TemporaryDirectory() as d:
        res = {}
        for rep in ("warm-up", "timed"):
            for fused in (True, False):
                dt, losses = run(fused, a.preset, rows, texts, a.steps, a.batch_size, d)
                name = "fused" if fused else "plain"
                print(f"{rep:8s} {name}: {dt:.3f} s/step, last losses {[round(x, 4) for x in losses[-3:]]}", flush=True)
                if rep == "timed": res[name] = (dt, losses)
    (tf, lf), (tp, lp) = res["fused"], res["plain"]
    print(f"\nfused {tf:.3f} s/step, plain {tp:.3f} s/step: plain takes {tp / tf:.2f}x the fused step time; "
          f"max loss difference {max(abs(x - y) for x, y in zip(lf, lp)):.2e}")


if __name__ == "__main__":
    main()
