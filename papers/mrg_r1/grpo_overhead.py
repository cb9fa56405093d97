"""GRPO step overhead of rrg_nb over a bare TRL GRPOTrainer, measured side by side in one process.

Same policy, data, config and seed; learning rate 0 so both sample exactly the same completions. Bare: TRL's
GRPOTrainer with a constant reward. rrg_nb: `train_grpo` (RRGGRPOTrainer recording the sampled groups) with the
MRG-R1 reward (rule-labeler MCCS + format). Runs alternate A B A B to spread machine drift over both.

    python papers/mrg_r1/grpo_overhead.py [policy folder] [steps per block]
"""
import sys, time, json
import numpy as np, torch
from rrg_nb.core import seed_everything
from rrg_nb.runs import load_studies
from rrg_nb.model import load_policy, PRESETS
from rrg_nb.prompts import grpo_rows
from rrg_nb.train import grpo_config, train_grpo

policy_path = sys.argv[1] if len(sys.argv) > 1 else "small"
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 8
studies = load_studies("iu_phantom")
train = [s for s in studies if s.split == "train" and s.report and s.image_paths][:64]
rows = grpo_rows(train, "plain", image_size=112)

def policy():
    return load_policy(policy_path, texts=[s.report for s in train]) if policy_path in PRESETS else load_policy(policy_path)

def cfg(d): return grpo_config(d, steps=steps, lr=0.0, num_generations=4, batch_size=8, max_completion_length=64, save_steps=10**6)

def bare(d):
    from datasets import Dataset
    from trl import GRPOTrainer
    m, p = policy(); seed_everything(0)
    def constant(completions, **kw): return [1.0] * len(completions)
    c = cfg(d); c.save_strategy = "no"
    tr = GRPOTrainer(model=m, processing_class=p, reward_funcs=[constant], args=c, train_dataset=Dataset.from_list(rows))
    t0 = time.perf_counter(); tr.train(); return time.perf_counter() - t0

def ours(d):
    m, p = policy(); c = cfg(d); c.save_strategy = "no"
    t0 = time.perf_counter(); train_grpo(m, p, rows, c, reward="mrg_r1"); return time.perf_counter() - t0

import tempfile
times = {"bare": [], "rrg_nb": []}
with tempfile.TemporaryDirectory() as d:
    for rep in range(2):
        times["bare"].append(bare(f"{d}/b{rep}")); times["rrg_nb"].append(ours(f"{d}/o{rep}"))
per_step = {k: sum(v) / (len(v) * steps) for k, v in times.items()}
print(json.dumps({"policy": policy_path, "steps_per_block": steps, "blocks": 2, "seconds": times,
                  "s_per_step": {k: round(v, 4) for k, v in per_step.items()},
                  "overhead": round(per_step["rrg_nb"] / per_step["bare"] - 1, 4)}, indent=1))
