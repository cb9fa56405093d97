"run_dual_loop through papermill at smoke size: the tiny preset, a few steps, the LRRG benchmark tiers of 8 test studies."
import json
from pathlib import Path
import pandas as pd
import pytest

from nbrun import papermill
SMOKE = dict(model="tiny", sft_steps=2, steps=3, n_train=16, n_test=8, n_boot=50, batch_size=4, probe_every=1, max_new_tokens=10)

def _papermill(out_dir, cache, **params):
    return papermill("run_dual_loop.ipynb", out_dir, False, sft_cache=cache, **{**SMOKE, **params})

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    "One dual-loop run (MLDG with the consistency term every step) and one mixed-augmentation run from the same SFT start."
    base = tmp_path_factory.mktemp("dual"); cache = base / "sft_cache"; out = {}
    for method, extra in [("mldg", dict(gc_weight=0.5, gc_every=1)), ("mixed", dict(gc_weight=0.0))]:
        r = _papermill(base / method, cache, method=method, **extra)
        assert r.returncode == 0, r.stderr[-3000:]
        out[method] = base / method
    return out

def test_outputs(runs):
    "metrics.json per tier with CIs, the paired gap, the gradient cosine, and every figure and table."
    d = runs["mldg"]; m = json.loads((d / "metrics.json").read_text())
    assert list(m["tiers"]) == ["clean", "mild", "moderate", "severe", "shuffled", "aqaa_flagged"]
    assert {m["tiers"][t]["n"] for t in ("clean", "mild", "moderate", "severe", "shuffled")} == {8}  # paired: the same 8 studies in each tier
    for t, r in m["tiers"].items():
        for k, v in r["metrics"].items():
            lo, hi = r["ci"][k]; assert lo <= v + 1e-12 and v <= hi + 1e-12, (t, k)
    for name, other in [("gap_clean_minus_severe", "severe"), ("image_information_clean_minus_shuffled", "shuffled")]:
        assert set(m[name]) == {"ce_r2gen_micro_f1", "BLEU_4"}
        for k, g in m[name].items():
            assert g["value"] == pytest.approx(m["tiers"]["clean"]["metrics"][k] - m["tiers"][other]["metrics"][k], abs=1e-9)
            assert g["lo"] <= g["value"] + 1e-12 <= g["hi"] + 2e-12
    assert len(m["grad_cosine"]) == 3 and all(-1 <= r["probe_cos"] <= 1 for r in m["grad_cosine"])
    assert m["passes_per_step"] > 2 and m["step_seconds"] > 0  # two regimes plus the consistency term cost more than one pass
    for f in ["tiers.png", "grad_cosine.png", "per_tier.csv", "dual_history.csv", "timing.json", "run_dual_loop.ipynb", "checkpoint-final/config.json"]:
        assert (d / f).stat().st_size > 0, f
    h = pd.read_csv(d / "dual_history.csv"); assert list(h.step) == [0, 1, 2] and set(h.method) == {"mldg"}

def test_benchmark_and_baseline(runs):
    "The benchmark manifest is written once per setting with the degradation recorded; the mixed baseline uses one pass per step."
    bench = next(runs["mldg"].parent.glob("_lrrg_benchmark_*"))
    man = pd.read_csv(bench / "manifest.csv")
    assert len(man) == 4 * 8 and set(man.tier) == {"clean", "mild", "moderate", "severe"}
    assert man[man.tier == "clean"].kind.isna().all() and man[man.tier != "clean"].kind.notna().all()
    assert sorted(man.groupby("tier").severity.first().to_dict().items()) == [("clean", 0), ("mild", 2), ("moderate", 3), ("severe", 5)]
    mm = json.loads((runs["mixed"] / "metrics.json").read_text())
    assert mm["config"]["method"] == "mixed" and mm["passes_per_step"] == 1
    assert mm["config"]["init_checkpoint"] == json.loads((runs["mldg"] / "metrics.json").read_text())["config"]["init_checkpoint"]

def test_bad_method(tmp_path):
    r = _papermill(tmp_path / "bad", tmp_path / "cache", method="maml")
    assert r.returncode != 0 and "method must be one of" in r.stderr + r.stdout
