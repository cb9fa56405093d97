"""SFT step time of the small preset in fp32 and in bf16 autocast, measured side by side in one process.

Same policy (fresh from the same seed), same 320 IU-Phantom training rows, same TRL config apart from `bf16`.
Blocks alternate fp32, bf16, fp32, bf16 to spread machine drift over both; prints the seconds per step of
each block, the ratio of the means, and the two loss curves (they should agree to a few parts in a thousand).
On a CPU without native bf16 (no AVX512-BF16 or AMX) the bf16 block is emulated and slower: that is the point
of `rrg_nb.core.native_bf16`, which this also prints.

    python papers/sft/bench_precision.py [steps per block, default 10]
"""
import sys, time, tempfile
import numpy as np
from rrg_nb.core import native_bf16
from rrg_nb.runs import load_studies, run_splits
from rrg_nb.model import load_policy, freeze_vision
from rrg_nb.prompts import sft_rows
from rrg_nb.train import sft_config, train_sft

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10
train = run_splits(load_studies("iu_phantom"), 0, 0)[0]
texts = [s.report for s in train] + [s.indication for s in train]
rows = sft_rows(train[:320], "mrg_r1", image_size=112)

def block(bf16: bool, d: str):
    pol, proc = load_policy("small", texts=texts, seed=0); freeze_vision(pol)
    cfg = sft_config(d, steps=steps, lr=1e-3, batch_size=16, seed=0, save_steps=10**6, bf16=bf16); cfg.save_strategy = "no"
    t0 = time.perf_counter(); tr = train_sft(pol, proc, rows, cfg); dt = time.perf_counter() - t0
    return dt / steps, [h["loss"] for h in tr.state.log_history if "loss" in h]

print(f"native bf16 on this CPU: {native_bf16('cpu')}; {steps} steps per block, batch 16, small preset")
times, losses = {False: [], True: []}, {}
with tempfile.TemporaryDirectory() as d:
    for k, bf16 in enumerate((False, True, False, True)):
        s, l = block(bf16, f"{d}/{k}"); times[bf16].append(s); losses[bf16] = l
        print(f"block {k + 1}: {'bf16' if bf16 else 'fp32'} {s:.3f} s/step")
fp, bf = np.mean(times[False]), np.mean(times[True])
print(f"fp32 {fp:.3f} s/step, bf16 {bf:.3f} s/step: bf16 is {fp / bf:.2f}x the speed of fp32")
print("losses fp32:", np.round(losses[False], 3).tolist())
print("losses bf16:", np.round(losses[True], 3).tolist())
print(f"largest loss difference: {np.max(np.abs(np.array(losses[False]) - np.array(losses[True]))):.4f}")
