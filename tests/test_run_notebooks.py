"Every run_*.ipynb runs through papermill at smoke size and writes metrics.json, its figures and the executed notebook."
import json, math, subprocess, sys
from pathlib import Path

from nbrun import ROOT, papermill

def _papermill(nb, out_dir, **params):
    papermill(nb, out_dir, **params)
    return out_dir

def _finite(x) -> bool:
    "Every number in a (nested) metrics.json record is finite (None counts as a value left undefined, e.g. a precision of no positives)."
    if isinstance(x, dict): return all(_finite(v) for v in x.values())
    if isinstance(x, (list, tuple)): return all(_finite(v) for v in x)
    return x is None or isinstance(x, str) or math.isfinite(x)

def _check_vs(d):
    "A paired difference record: the difference inside its 95% interval."
    assert set(d) >= {"diff", "lo", "hi", "p_value"} and d["lo"] <= d["diff"] <= d["hi"], d

def test_run_label_smoke(tmp_path):
    out = _papermill("run_label.ipynb", tmp_path / "label", limit=200)
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_studies"] == 200 and m["labeler"] == "rule"
    assert 0 < m["mesh_agreement"]["micro"]["f1"] <= 1
    for f in ("labels.csv", "prevalence.png", "mesh_agreement.png", "run_label.ipynb"): assert (out / f).stat().st_size > 0
    assert len((out / "labels.csv").read_text().splitlines()) == 201

def test_run_label_on_fake_mimic(tmp_path):
    from rrg_nb.data import make_fake_mimic_tree
    root = make_fake_mimic_tree(tmp_path / "mimic")
    out = _papermill("run_label.ipynb", tmp_path / "label", dataset="mimic_cxr", data_root=root)
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_studies"] == 7 and "mesh_agreement" not in m
    assert m["load_summary"]["skipped"] == {"no_report_file": 1, "no_findings_or_impression": 1}

def test_parameters_are_documented():
    "papermill --help-notebook lists every parameter with its help text (literal `name: type = value  # help` lines)."
    for nb in sorted((ROOT / "nbs").glob("run_*.ipynb")):
        r = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(nb)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        import nbformat
        cell = next(c for c in nbformat.read(nb, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        names = [l.split(":")[0] for l in cell.source.splitlines() if l and not l.startswith("#")]
        assert "output_dir" in names
        for n in names: assert f"  {n}: " in r.stdout, f"{nb.name}: parameter {n} missing from --help-notebook:\n{r.stdout}"
        for l in cell.source.splitlines():
            if l and not l.startswith("#"): assert "  # " in l, f"{nb.name}: parameter line without help text: {l}"

def test_run_sft_smoke(tmp_path):
    "run_sft at smoke size, then again from the saved checkpoint by path (the code path a 7B model takes)."
    out = _papermill("run_sft.ipynb", tmp_path / "sft", model="tiny", steps=4, batch_size=4, n_train=24, n_test=8, n_boot=20,
                     max_new_tokens=8, vision_epochs=1, vision_views=2, oversample_abnormal=2, n_calibrate=6)
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["test"]) == {"model", "template_baseline", "shuffled_images"}
    cal = m["checklist_calibration"]  # the default template thinks: its per-finding checklist biases are chosen on validation
    assert cal["n_validation"] == 6 and len(cal["per_finding"]) == 13 and len(cal["biases"]) == 13
    assert cal["kept"] == any(v != 0 for v in cal["biases"].values())  # biases are applied exactly when kept
    assert cal["checklist_f1_biased"] >= cal["checklist_f1_greedy"]  # the search starts from 0, which is on its grid
    assert 0 <= m["ce_r2gen_micro_f1"] <= 1 and len(m["test"]["model"]["ci"]["BLEU_4"]) == 2
    c = m["controls"]  # the two controls in one place, with the model's paired difference to each
    for k in ("template", "shuffled"):
        assert c[f"{k}_ce_r2gen_micro_f1"] == m["test"]["template_baseline" if k == "template" else "shuffled_images"]["metrics"]["ce_r2gen_micro_f1"]
        lo, hi = c[f"{k}_ce_r2gen_micro_f1_ci"]; assert lo <= c[f"{k}_ce_r2gen_micro_f1"] <= hi
        _check_vs(c[f"model_vs_{k}"])
    assert _finite(c)
    for f in ("loss.png", "samples.csv", "timing.json", "checkpoint-final/config.json", "run_sft.ipynb"): assert (out / f).exists(), f
    out2 = _papermill("run_sft.ipynb", tmp_path / "sft2", model=str(out / "checkpoint-final"), steps=2, batch_size=4, n_train=8,
                      n_test=4, n_boot=10, max_new_tokens=4, vision_epochs=0, template="plain", train_views=2, eval_split="val")
    m2 = json.loads((out2 / "metrics.json").read_text())
    assert m2["config"]["model"].endswith("checkpoint-final")
    from rrg_nb.runs import load_studies, run_splits  # choosing settings: the evaluation read the first validation studies, not test
    val_ids = [s.study_id for s in run_splits(load_studies())[1][:4]]
    import pandas as pd; assert pd.read_csv(out2 / "samples.csv").study_id.tolist() == val_ids and m2["config"]["eval_split"] == "val"
    assert "2 renders of each of 8 training studies" in (out2 / "run_sft.ipynb").read_text()
    assert m2["checklist_calibration"] == {"biases": None}  # the plain template has no checklist to calibrate

def test_run_grpo_smoke(tmp_path):
    "The main job at smoke size: no init_checkpoint, so SFT runs first into the cache; a second run reuses that SFT run."
    import pandas as pd
    common = dict(model="tiny", sft_steps=2, sft_batch_size=4, sft_vision_epochs=1, n_train=16, n_test=8, n_val=4, probe_every=1,
                  steps=2, n_boot=20, max_new_tokens=8, max_completion_length=8, sft_cache=tmp_path / "cache", template="mrg_r1")
    out = _papermill("run_grpo.ipynb", tmp_path / "g1", reward="mrg_r1", beta=0.04, **common)
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["test"]) == {"init", "grpo", "template_baseline", "shuffled_images", "init_shuffled_images", "continued_sft"}
    c = m["controls"]  # each control's CE-F1 with its interval, GRPO minus each; the control made as many updates as GRPO
    for k in ("template", "init_shuffled", "grpo_shuffled", "continued_sft"):
        lo, hi = c[f"{k}_ce_r2gen_micro_f1_ci"]; assert 0 <= lo <= c[f"{k}_ce_r2gen_micro_f1"] <= hi <= 1
        _check_vs(c[f"grpo_vs_{k}"])
    assert c["continued_sft_ce_r2gen_micro_f1"] == m["test"]["continued_sft"]["metrics"]["ce_r2gen_micro_f1"]
    assert c["grpo_updates"] == c["continued_sft_updates"] == 2 and c["continued_sft_batch_size"] == 8
    assert m["grpo_vs_continued_sft"]["ce_r2gen_micro_f1"] == c["grpo_vs_continued_sft"] and _finite(c)
    dg = m["diagnostics"]  # what the reports state, and the start's sampled positives with real and shuffled images
    for k in ("positives_per_report", "negations_per_report"): assert set(dg[k]) == {"reference", "init", "grpo", "continued_sft"}
    sp = dg["sampled_positives"]; assert sp["n_studies"] == 4 and sp["num_generations"] == 4
    for k in ("real", "shuffled"):
        assert sp[k]["n_completions"] == 16 and sp[k]["positives_per_completion"] >= 0
        assert sp[k]["precision"] is None or 0 <= sp[k]["precision"] <= 1
    assert _finite(dg)
    t = json.loads((out / "timing.json").read_text()); assert t["control_s"] > 0 and "diagnostics_s" in t
    assert (out / "continued_sft" / "checkpoint-final" / "config.json").exists()
    # the think template's checklist gets its own allowance on top of the report's tokens (think_tokens, 96, or more when
    # the longest checklist needs more with this tokenizer: the smoke run's tokenizer knows 16 reports)
    c = m["config"]; assert c["think_tokens"] >= 96 and c["max_completion_length"] == c["max_new_tokens"] == 8 + c["think_tokens"]
    for k in ("ce_r2gen_micro_f1", "BLEU_4"): assert 0 <= m[k] <= 1 and 0 <= m["init_" + k] <= 1
    d = m["grpo_vs_init"]["ce_r2gen_micro_f1"]; assert d["lo"] <= d["diff"] <= d["hi"]
    assert [h["step"] for h in m["ce_over_steps"]] == [0, 1, 2]
    for k in ("init", "grpo"):  # the trained reward on the test completions: each part and the 0.75/0.25 weighted total
        r = m["test_reward"][k]; assert set(r) == {"mccs_m0", "format", "total"}
        assert abs(r["total"] - (0.75 * r["mccs_m0"] + 0.25 * r["format"])) < 1e-9
    assert set(m["findings_stated"]) == {"reference", "init", "grpo", "continued_sft"} and set(m["findings_stated"]["grpo"]) == {"positive", "uncertain", "negated"}
    cf = m["mccs_counterfactuals"]  # MCCS of the GRPO labels, and with the start's / the references' positive findings copied in
    assert set(cf) == {"start", "final", "final + start's positive findings", "final + reference positive findings (oracle)"}
    assert all(0 <= v["mccs"] <= 1 for v in cf.values())
    for f in ("curves.png", "ce_over_steps.png", "samples.csv", "timing.json", "checkpoint-final/config.json", "run_grpo.ipynb"):
        assert (out / f).exists(), f
    g = pd.read_csv(out / "sampled_groups.csv")
    assert {"step", "group", "study_id", "completion", "advantage", "reward/mccs_m0", "reward/format"} <= set(g.columns)
    assert (g.groupby("group").study_id.nunique() == 1).all()
    cached = list((tmp_path / "cache").iterdir()); assert len(cached) == 1 and (cached[0] / "run_sft.ipynb").exists()
    out2 = _papermill("run_grpo.ipynb", tmp_path / "g2", reward="0.5*ce_f1+0.5*nlg", oversample=3, control_sft=False, train_views=2,
                      **common)  # abnormal prompts x3, from 2 renders of each training study
    m2 = json.loads((out2 / "metrics.json").read_text())
    assert "continued_sft" not in m2["test"] and "continued_sft_ce_r2gen_micro_f1" not in m2["controls"] and "template_ce_r2gen_micro_f1" in m2["controls"]
    assert len(list((tmp_path / "cache").iterdir())) == 1 and m2["config"]["init_checkpoint"] == m["config"]["init_checkpoint"]
    assert m2["config"]["reward_parts"] == {"ce_f1": 0.5, "nlg": 0.5} and m2["config"]["oversample"] == 3
    assert "GRPO prompts: " in (out2 / "run_grpo.ipynb").read_text()  # the oversampled prompt count is printed
    assert "2 renders of each of 16 training studies" in (out2 / "run_grpo.ipynb").read_text()

def test_run_sft_same_seed_same_metrics(tmp_path):
    "Same seed, same machine: run_sft writes the same metrics.json twice (smoke size)."
    kw = dict(model="tiny", steps=3, batch_size=4, n_train=16, n_test=8, n_boot=20, max_new_tokens=8, vision_epochs=1, vision_views=2,
              n_calibrate=6, seed=3)
    a = json.loads((_papermill("run_sft.ipynb", tmp_path / "a", **kw) / "metrics.json").read_text())
    b = json.loads((_papermill("run_sft.ipynb", tmp_path / "b", **kw) / "metrics.json").read_text())
    assert a == b
