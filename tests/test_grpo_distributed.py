"""Two CPU processes (torchrun, or accelerate with the DeepSpeed ZeRO-1 and ZeRO-3 configs; gloo) run GRPO steps on the tiny policy with G = 4 and 2 completions per process, so every
group is split across the processes: each process scores only its own completions, and the advantages must still be
normalised over the whole group (TRL gathers the rewards before grouping)."""
import json, os, subprocess, sys, textwrap
from pathlib import Path
import numpy as np, pytest

SCRIPT = textwrap.dedent('''
    import json, sys, os, numpy as np, torch
    from pathlib import Path
    from rrg_nb.data import Study
    from rrg_nb.model import load_policy, save_policy, apply_lora
    from rrg_nb.prompts import grpo_rows
    from rrg_nb.train import grpo_config, train_grpo, ce_probe, finish_training
    d = Path(sys.argv[1]); rank = int(os.environ["RANK"])
    reps = ["Heart size is enlarged. Small left pleural effusion.", "The lungs are clear. No pneumothorax.",
            "Cardiomegaly. No effusion.", "Right upper lobe opacity, possible pneumonia."]
    st = [Study(f"s{k}", findings=r, image_paths=[str(d / f"{k}.png")]) for k, r in enumerate(reps)]
    pol, proc = load_policy("tiny", texts=reps + ["Write the findings of this chest X-ray."])
    seen = []
    def length(completions, **kw):  # a reward with spread, and a record of how many completions this process scored
        seen.append(len(completions))
        return [len(c[-1]["content"]) % 7 / 7 for c in completions]
    length.__name__ = "length"
    from rrg_nb import rewards
    rewards.register("test_length")(lambda **o: length)
    lora = os.environ.get("RRG_TEST_LORA") == "1"
    base = save_policy(pol, proc, d / f"start{rank}")
    if lora: pol = apply_lora(pol, "mrg_r1", r=4, lora_alpha=8)
    rows = grpo_rows(st, "plain", image_size=56)
    probe = ce_probe(rows[:2], proc, every=1, max_new_tokens=6)  # under ZeRO-3 every process must join its generation
    cfg = grpo_config(d / f"out", steps=2, lr=1e-2, num_generations=4, batch_size=2, max_completion_length=10, save_steps=100)
    tr = train_grpo(pol, proc, rows, cfg, reward="0.5*test_length+0.5*mccs", callbacks=[probe])
    engine = tr.model_wrapped if tr.is_deepspeed_enabled else None  # under an accelerate DeepSpeed config: the DeepSpeedEngine
    zero = engine.zero_optimization_stage() if engine is not None else None
    with open(d / f"rank{rank}.json", "w") as f:
        json.dump({"seen": seen, "world": tr.accelerator.num_processes, "sampled": tr.sampled, "zero_stage": zero}, f)
    import torch.distributed as dist
    if dist.is_initialized(): dist.barrier()  # both ranks have written their records
    final = finish_training(tr, proc, d / "final", base=base)  # the other rank leaves inside
    saved = load_policy(str(d / "final"))[0].state_dict(); start = load_policy(str(base))[0].state_dict()
    mem = {k: v.detach().cpu() for k, v in final.state_dict().items()}
    with open(d / "final.json", "w") as f:
        json.dump({"probe_steps": [h["step"] for h in probe.history], "saved_keys": sorted(saved) == sorted(start),
                   "moved": any(not torch.equal(saved[k], start[k]) for k in saved),
                   "saved_equals_memory": all(k in mem and torch.allclose(saved[k], mem[k].float(), atol=1e-6) for k in saved)}, f)
    sys.stdout.flush(); sys.stderr.flush()
    # Leave without interpreter finalisation: torch's gloo backend can abort there ("terminate called without an active
    # exception", SIGABRT; pytorch/pytorch PR 179291 describes it): seen once in CI after all the work was done, 0 of 28 local runs.
    os._exit(0)
''')

ROOT = Path(__file__).resolve().parents[1]
# the launchers a user runs: plain torchrun (DDP), and accelerate with the project's DeepSpeed configs. On a CPU DeepSpeed
# selects its CPU accelerator (gloo), so the ZeRO paths run here as they do on GPUs, minus bf16.
LAUNCH = {
    "torchrun": ([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29533"], None),
    "zero1": ([sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(ROOT / "papers/configs/zero1.yaml"),
               "--num_processes", "2", "--mixed_precision", "no", "--main_process_port", "29534"], 1),
    "zero3": ([sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(ROOT / "papers/configs/zero3.yaml"),
               "--num_processes", "2", "--mixed_precision", "no", "--main_process_port", "29535"], 3),
}
LAUNCH["zero3-lora"] = (LAUNCH["zero3"][0][:-1] + ["29536"], 3)  # LoRA under ZeRO-3: the adapters are merged into the start on save

@pytest.mark.parametrize("launcher", list(LAUNCH))
def test_grpo_two_processes_group_rewards(tmp_path, launcher):
    import trl  # a required dependency: a broken install fails here rather than skipping
    from PIL import Image
    for k in range(4): Image.fromarray(np.random.default_rng(k).integers(0, 255, (56, 56), dtype=np.uint8)).save(tmp_path / f"{k}.png")
    (tmp_path / "run.py").write_text(SCRIPT)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    cmd, zero = LAUNCH[launcher]
    if launcher.endswith("lora"): env["RRG_TEST_LORA"] = "1"
    r = subprocess.run(cmd + [str(tmp_path / "run.py"), str(tmp_path)], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-4000:]
    r0, r1 = (json.loads((tmp_path / f"rank{k}.json").read_text()) for k in (0, 1))
    assert r0["zero_stage"] == r1["zero_stage"] == zero  # the DeepSpeed engine ran with the config's ZeRO stage (none under torchrun)
    assert r0["world"] == 2 and r0["seen"] == r1["seen"] == [2, 2]  # each process scored its own 2 completions per step
    assert r1["sampled"] == []  # the main process keeps the gathered groups
    groups = {}
    for row in r0["sampled"]: groups.setdefault(row["group"], []).append(row)
    assert len(groups) == 2 and all(len(g) == 4 for g in groups.values())  # one group per step, 4 completions, from both processes
    for g in groups.values():
        assert len({row["study_id"] for row in g}) == 1
        total = np.array([0.5 * row["reward/length"] + 0.5 * row["reward/mccs_m0"] for row in g])
        want = (total - total.mean()) / (total.std(ddof=1) + 1e-4)  # TRL: group mean and (unbiased) std over all 4
        np.testing.assert_allclose([row["advantage"] for row in g], want, atol=1e-4)
    # after training: the probe measured at steps 0, 1, 2 (all processes generating together under ZeRO-3), and the
    # saved checkpoint is the whole trained policy (gathered from the shards, LoRA merged), loadable, moved from the start
    fin = json.loads((tmp_path / "final.json").read_text())
    assert fin == {"probe_steps": [0, 1, 2], "saved_keys": True, "moved": True, "saved_equals_memory": True}, fin

def test_accelerate_configs_parse():
    "The configs the launch commands name load with accelerate's own loader, with the ZeRO stage and precision they say."
    from accelerate.commands.config.config_args import load_config_from_file
    for stage in (1, 3):
        cfg = load_config_from_file(str(ROOT / f"papers/configs/zero{stage}.yaml"))
        assert str(cfg.distributed_type).endswith("DEEPSPEED") and cfg.deepspeed_config["zero_stage"] == stage
        assert cfg.mixed_precision == "bf16" and cfg.num_processes == 8
