"The papers' table notebooks rebuild from run outputs alone (metrics.json files shaped like run_sft's and run_grpo's)."
import json, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "papers"))

def _metrics(v, keys, grpo):
    t = {"metrics": {k: v for k in keys}, "ci": {k: [v - 0.02, v + 0.02] for k in keys}}
    if not grpo: return {"test": {"model": t}}
    return {"test": {"grpo": t, "init": t}, "grpo_vs_init": {k: {"diff": 0.01, "lo": -0.01, "hi": 0.03} for k in keys}}

def _fixture_runs(root, rows, keys):
    for row, v in rows.items():
        for seed in (0, 1):
            f = root / row / f"seed{seed}" / "metrics.json"; f.parent.mkdir(parents=True)
            f.write_text(json.dumps(_metrics(v + seed / 100, keys, row != "sft")))

@pytest.mark.parametrize("paper,rows", [("mrg_r1", {"sft": 0.40, "nlg": 0.41, "ce_f1": 0.45, "mccs": 0.50}),
                                        ("unirg", {"sft": 0.40, "sft_rl": 0.45, "nlg_only": 0.41})])
def test_table_rebuilds_from_runs(tmp_path, paper, rows):
    keys = ["ce_r2gen_micro_precision", "ce_r2gen_micro_recall", "ce_r2gen_micro_f1", "BLEU_4", "ROUGE_L", "CIDEr", "judge_significant_errors"]
    _fixture_runs(tmp_path / "runs", rows, keys)
    out = tmp_path / "paper"; out.mkdir(); shutil.copy(ROOT / "papers" / paper / "reported.csv", out)
    r = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "papers" / paper / "table.ipynb"), str(tmp_path / "t.ipynb"),
                        "-p", "runs_dir", str(tmp_path / "runs"), "-p", "out_dir", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    md = (out / "table.md").read_text()
    assert (out / "figure.png").stat().st_size > 0 and (out / "table.csv").exists()
    if paper == "mrg_r1":
        assert "| +MCCS | 50.50 ± 0.71 [48.5, 52.5]" in md and "| +CE-F1+reasoning | not run" in md
        nb = (tmp_path / "t.ipynb").read_text()
        assert "ordering holds on the means: True, in 2 of 2 seeds" in nb
    else:
        assert "| SFT + RL (combined) | 2 | 0.4550 [0.435, 0.475]" in md and "| RL (from scratch) | 0 | not run" in md

def _parameters(nb):
    import nbformat
    cell = next(c for c in nbformat.read(ROOT / "nbs" / f"{nb}.ipynb", as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    return {l.split(":")[0] for l in cell.source.splitlines() if l and not l.startswith("#")}

def test_build_configs_are_valid():
    from build import load_configs
    for paper in ("mrg_r1", "unirg"):
        for row, cfg in load_configs(paper).items():
            assert cfg["notebook"] in ("run_sft", "run_grpo") and (ROOT / "nbs" / f"{cfg['notebook']}.ipynb").exists()
            unknown = set(cfg["params"]) - _parameters(cfg["notebook"])
            assert not unknown, f"papers/{paper} row {row}: {sorted(unknown)} are not parameters of {cfg['notebook']}"
            if cfg["notebook"] == "run_grpo":
                from rrg_nb.rewards import reward_parts
                reward_parts(cfg["params"]["reward"])  # every reward spec names registry rewards
                from rrg_nb.model import TEMPLATES
                assert cfg["params"].get("template", "plain") in TEMPLATES
