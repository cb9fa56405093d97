"run_eval through papermill at smoke size: a tiny checkpoint beside a predictions file, bad inputs, strata and a cross-dataset grid on a fake MIMIC-CXR tree."
import csv, json
from pathlib import Path
import pytest

from nbrun import papermill
SMOKE = dict(n_boot=20, max_new_tokens=8, speedup_n=4, batch_size=4)

def _papermill(out_dir, expect_ok=True, **params):
    return papermill("run_eval.ipynb", out_dir, expect_ok, **{**SMOKE, **params})

def _tiny_checkpoint(path, texts, template="plain"):
    "A tiny random Qwen2.5-VL saved like a run's checkpoint-final, with the run's params.json beside it."
    from rrg_nb.model import load_policy, save_policy
    ck = save_policy(*load_policy("tiny", texts=texts), Path(path) / "checkpoint-final")
    (Path(path) / "params.json").write_text(json.dumps({"template": template, "image_size": 112, "model": "tiny"}))
    return ck

@pytest.fixture(scope="module")
def iu():
    from rrg_nb.runs import load_studies, run_splits
    studies = load_studies("iu_phantom")
    return studies, run_splits(studies)[2]

def test_checkpoint_and_predictions_file(tmp_path, iu):
    "A checkpoint and a predictions file compared in one table; every figure and the qualitative panel of three studies."
    studies, test = iu
    ck = _tiny_checkpoint(tmp_path / "tiny", [s.report for s in studies[:300]])
    with open(tmp_path / "refs.csv", "w", newline="") as f:  # a 'system' that writes the reference findings: perfect scores
        w = csv.writer(f); w.writerow(["study_id", "report"]); w.writerows([(s.study_id, s.findings) for s in test[:12]])
    out = tmp_path / "eval"
    _papermill(out, checkpoint=f"tiny={ck},oracle={tmp_path / 'refs.csv'}", n_test=12, qualitative=3)
    m = json.loads((out / "metrics.json").read_text())
    assert list(m["test"]) == ["tiny", "oracle"] and m["config"]["n_evaluated"] == 12
    assert m["test"]["oracle"]["metrics"]["ce_r2gen_micro_f1"] == 1.0 and m["test"]["oracle"]["metrics"]["BLEU_4"] > 0.99
    d = m["vs_tiny"]["oracle"]["BLEU_4"]; assert d["lo"] <= d["diff"] <= d["hi"] and d["diff"] > 0
    assert m["systems"]["tiny"]["generated"] == 12 and m["systems"]["oracle"]["kind"] == "predictions"
    assert m["batching"]["n"] == 4 and m["batching"]["speedup_wall"] > 0
    table = (out / "table.md").read_text(); assert "| oracle - tiny (paired) | 12 |" in table
    by = {r["by"] for r in m["strata"]}; assert {"reference", "report_length", "age_band"} <= by
    assert m["strata_skipped"]["view"].startswith("one stratum only") and all(r["small"] for r in m["strata"])  # 12 < min_stratum
    # quality.low_quality: AQAA assessed the 12 images, so the stratum holds verdicts (True/False), not 'unknown'
    assert m["timing"]["aqaa_s"] > 0 and m["config"]["aqaa"] is True and m["aqaa"]["assessed"] == 12 and m["aqaa"]["status"] == {"ok": 12}
    q = {r["stratum"] for r in m["strata"] if r["by"] == "quality.low_quality"} or {m["strata_skipped"]["quality.low_quality"]}
    assert q <= {"True", "False", "one stratum only ('False')", "one stratum only ('True')"}, q
    assert len(m["qualitative_ids"]) == 3
    for f in ["condition_f1.png", "strata.png", "qualitative.html", "samples.csv", "strata.md", "run_eval.ipynb"] + \
             [f"qualitative_{i}.png" for i in m["qualitative_ids"]]:
        assert (out / f).stat().st_size > 0, f
    html = (out / "qualitative.html").read_text(); assert html.count('class="rrg-qualitative"') == 3
    pred = list(csv.DictReader(open(out / "predictions" / "tiny.csv")))
    assert [r["study_id"] for r in pred] == [s.study_id for s in test[:12]] and set(pred[0]) == {"study_id", "completion", "think", "report"}

def test_bad_inputs(tmp_path, iu):
    "Missing or extra study ids and a checkpoint that does not load: errors that name the problem."
    from rrg_nb.generate import read_predictions, load_checkpoint
    studies, test = iu
    ids = [s.study_id for s in test[:10]]
    f = tmp_path / "p.csv"
    f.write_text("study_id,report\n" + "".join(f"{i},No acute disease.\n" for i in ids[:8]) + "CXR-NOT-A-STUDY,x\n")
    with pytest.raises(ValueError, match=r"p.csv: 2 of the 10 studies evaluated have no prediction"): read_predictions(f, ids)
    f.write_text("study_id,report\n" + "".join(f"{i},No acute disease.\n" for i in ids) + "CXR-NOT-A-STUDY,x\n")
    with pytest.raises(ValueError, match=r"1 study ids are not in the evaluated split: \['CXR-NOT-A-STUDY'\]"): read_predictions(f, ids)
    ck = _tiny_checkpoint(tmp_path / "ck", [s.report for s in studies[:100]])
    (ck / "model.safetensors").write_bytes(b"\0" * 64)
    with pytest.raises(ValueError, match="checkpoint-final does not load"): load_checkpoint(ck)
    # the same errors reach the notebook's user
    r = _papermill(tmp_path / "e1", expect_ok=False, checkpoint=str(f), n_test=10, qualitative=0)
    assert r.returncode != 0 and "study ids are not in the evaluated split" in r.stderr + r.stdout
    r = _papermill(tmp_path / "e2", expect_ok=False, checkpoint=str(tmp_path / "ck"), n_test=4, qualitative=0)
    assert r.returncode != 0 and "does not load" in r.stderr + r.stdout

def test_fake_mimic_strata_longitudinal_and_grid(tmp_path):
    "Sex, age band, race and encounter strata with small-strata flags, the copy-prior baseline, and a 2-dataset grid with LODO rows."
    from rrg_nb.data import make_fake_mimic_tree
    from rrg_nb.runs import load_studies
    from rrg_nb.runs import lodo_rows
    root = make_fake_mimic_tree(tmp_path / "mimic", n_subjects=9, studies_per_subject=6)
    mim = load_studies("mimic_cxr", str(root))
    ck = _tiny_checkpoint(tmp_path / "ck_mimic", [s.report for s in mim])
    ck_iu = _tiny_checkpoint(tmp_path / "ck_iu", [s.report for s in load_studies("iu_phantom")[:300]])
    demo = tmp_path / "demographics.csv"  # patients.csv (sex, age) plus a race column, as MIMIC-IV admissions would give
    rows = list(csv.DictReader(open(root / "patients.csv")))
    with open(demo, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]) + ["race"]); w.writeheader()
        for k, r in enumerate(rows): w.writerow({**r, "race": ["WHITE", "BLACK"][k % 2]})
    grid = {"eval": {"iu": {"dataset": "iu_phantom", "n_test": 6}, "mimic": {"dataset": "mimic_cxr", "data_root": str(root)}},
            "train": {"iu": {"checkpoint": str(ck_iu), "datasets": ["iu"]}, "mimic": {"checkpoint": str(ck), "datasets": ["mimic"]},
                      **lodo_rows(["iu", "mimic"], lambda d: ck if d == "iu" else ck_iu)}}
    (tmp_path / "grid.json").write_text(json.dumps(grid))
    out = tmp_path / "eval"
    _papermill(out, checkpoint=str(tmp_path / "ck_mimic"), dataset="mimic_cxr", data_root=str(root), demographics=str(demo),
               stratify_by="sex,age_band,race,encounter", min_stratum=5, qualitative=2, grid=str(tmp_path / "grid.json"))
    m = json.loads((out / "metrics.json").read_text())
    assert m["config"]["n_evaluated"] == 18  # 3 test subjects x 6 studies
    st = {(r["by"], r["stratum"]): (r["n"], r["small"]) for r in m["strata"]}
    assert st[("sex", "F")] == (12, False) and st[("sex", "M")] == (6, False)  # subjects 2 and 8 are F, 5 is M
    assert st[("age_band", "40-59")] == (6, False) and st[("age_band", "60-79")] == (6, False) and st[("age_band", "80+")] == (6, False)
    assert st[("race", "WHITE")] == (12, False) and st[("race", "BLACK")] == (6, False)
    assert [k[1] for k in st if k[0] == "encounter"] == ["1", "2", "3", "4", "5+"]
    assert st[("encounter", "1")] == (3, True) and st[("encounter", "5+")] == (6, False)  # 3 < min_stratum: flagged, still reported
    assert "small stratum" in (out / "strata.md").read_text()
    lo = {(r["by"], r["stratum"], r["system"]): r["n"] for r in m["longitudinal"]}
    assert lo[("prior", "with prior", "copy_prior")] == 15 and lo[("encounter", "1", "copy_prior")] == 0 and lo[("encounter", "1", "ck_mimic")] == 3
    assert (out / "longitudinal.png").stat().st_size > 0
    cells = {(r["train"], r["eval"]): r["held_out"] for r in m["cross_dataset"] if r["metric"] == "ce_r2gen_micro_f1"}
    assert cells == {("iu", "iu"): False, ("iu", "mimic"): True, ("mimic", "iu"): True, ("mimic", "mimic"): False,
                     ("all_but_iu", "iu"): True, ("all_but_iu", "mimic"): False, ("all_but_mimic", "iu"): False, ("all_but_mimic", "mimic"): True}
    md = (out / "cross_dataset.md").read_text(); assert md.count("†") == 2 * (4 + 1) and "| all_but_iu |" in md  # 2 metrics: 4 held-out cells + note
