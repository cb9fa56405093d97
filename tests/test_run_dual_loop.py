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
    "One dual-loop run (MLDG with the consistency term every step) and one mixed-augmentation run (on two kinds, one of them held out) from the same SFT start."
    base = tmp_path_factory.mktemp("dual"); cache = base / "sft_cache"; out = {}
    for method, extra in [("mldg", dict(gc_weight=0.5, gc_every=1)), ("mixed", dict(gc_weight=0.0, kinds="noise,jpeg"))]:
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
    bench = _bench(runs)
    man = pd.read_csv(bench / "manifest.csv")
    assert len(man) == 4 * 8 and set(man.tier) == {"clean", "mild", "moderate", "severe"}
    assert man[man.tier == "clean"].kind.isna().all() and man[man.tier != "clean"].kind.notna().all()
    assert sorted(man.groupby("tier").severity.first().to_dict().items()) == [("clean", 0), ("mild", 2), ("moderate", 3), ("severe", 5)]
    mm = json.loads((runs["mixed"] / "metrics.json").read_text())
    assert mm["config"]["method"] == "mixed" and mm["passes_per_step"] == 1
    assert mm["config"]["init_checkpoint"] == json.loads((runs["mldg"] / "metrics.json").read_text())["config"]["init_checkpoint"]

def _bench(runs):
    return next(runs["mldg"].parent.glob("_lrrg_benchmark_*"))

def test_held_out_kinds(runs):
    "Per degraded tier, CE-F1 on the seen and the held-out kinds (as the manifest marks them), the held-out gap, and what the run trained on."
    from rrg_nb.quality import TRAIN_KINDS, HELDOUT_KINDS, ALL_KINDS
    from rrg_nb.aqaa import benchmark_key
    ce = "ce_r2gen_micro_f1"
    bench = _bench(runs); man = pd.read_csv(bench / "manifest.csv")
    assert bench.name.endswith(benchmark_key(ALL_KINDS))
    assert man.held_out.tolist() == [k in HELDOUT_KINDS for k in man.kind]
    m = json.loads((runs["mldg"] / "metrics.json").read_text()); c = m["config"]
    assert c["train_kinds"] == list(TRAIN_KINDS) and c["held_out_trained"] == [] and c["held_out_kinds"] == list(HELDOUT_KINDS)
    assert list(m["tiers_by_kind"]) == ["mild", "moderate", "severe"]
    for t, d in m["tiers_by_kind"].items():
        held = man[(man.tier == t)]
        assert d["held_out"]["n"] == int(held.held_out.sum()) and d["seen"]["n"] + d["held_out"]["n"] == 8 and d["n_other"] == 0, t
        assert set(d["held_out"]["kinds"]) <= set(HELDOUT_KINDS) and set(d["seen"]["kinds"]) <= set(TRAIN_KINDS)
        for g in ("seen", "held_out"):
            if d[g]["n"]:
                lo, hi = d[g]["ci"][ce]; assert lo <= d[g]["metrics"][ce] + 1e-12 and d[g]["metrics"][ce] <= hi + 1e-12, (t, g)
            else: assert d[g]["metrics"] == {}
    sev_held = int(man[man.tier == "severe"].held_out.sum()); assert sev_held > 0  # benchmark seed 0 puts held-out kinds in the 8 severe images
    for name, n in [("gap_clean_minus_severe_held_out", sev_held), ("gap_clean_minus_severe_seen", 8 - sev_held)]:
        g = m[name]; assert g["n"] == n and g[ce]["lo"] <= g[ce]["value"] + 1e-12 <= g[ce]["hi"] + 2e-12, name
    kt = pd.read_csv(runs["mldg"] / "per_tier_kind.csv"); assert len(kt) == 6 and set(kt.kinds) == {"seen", "held_out"}
    # a run that names a held-out kind records it and counts it as seen; kinds it neither trained on nor holds out are 'other'
    mm = json.loads((runs["mixed"] / "metrics.json").read_text())
    assert mm["config"]["train_kinds"] == ["noise", "jpeg"] and mm["config"]["held_out_trained"] == ["jpeg"]
    for t, d in mm["tiers_by_kind"].items():
        tk = man[man.tier == t].kind
        assert "jpeg" not in d["held_out"]["kinds"] and d["seen"]["n"] == int(tk.isin(["noise", "jpeg"]).sum())
        assert d["held_out"]["n"] == int((tk.isin(HELDOUT_KINDS) & (tk != "jpeg")).sum()) and sum(d[g]["n"] for g in ("seen", "held_out")) + d["n_other"] == 8

def test_config_records_model_aqaa_versions(runs):
    "metrics.json's config names the model and the AQAA policy; versions name the data and the labeler."
    m = json.loads((runs["mldg"] / "metrics.json").read_text()); c = m["config"]
    assert c["model"] == "tiny" and c["aqaa"] is True and c["sft_steps"] == 2
    assert c["aqaa_policy"]["name"] == "calibrated" and c["aqaa_policy"]["calibration_version"] >= 2 and c["aqaa_policy"]["calibration_lambda"] > 0
    assert m["versions"]["dataset"] == "iu_phantom" and m["versions"]["labeler"] and "labeler_version" in m["versions"] and "dataset_version" in m["versions"]
    assert c["benchmark"]["key"] in c["benchmark"]["dir"]

def test_bad_kinds(tmp_path):
    r = _papermill(tmp_path / "bad", tmp_path / "cache", kinds="noise,fog")
    assert r.returncode != 0 and "unknown degradation kinds ['fog']" in r.stderr + r.stdout

def test_bad_method(tmp_path):
    r = _papermill(tmp_path / "bad", tmp_path / "cache", method="maml")
    assert r.returncode != 0 and "method must be one of" in r.stderr + r.stdout
