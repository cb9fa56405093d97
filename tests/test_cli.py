"The rrg-label console script, as a user runs it (installed entry point, real subprocess)."
import csv, shutil, subprocess, sys
from pathlib import Path
import pytest

def _exe():
    exe = shutil.which("rrg-label") or str(Path(sys.executable).with_name("rrg-label"))
    if not Path(exe).exists(): pytest.fail("rrg-label is not installed: pip install -e . should create it")
    return exe

def test_rrg_label_on_iu_reports(tmp_path):
    from rrg_nb.data import iu_xray_studies
    iu = iu_xray_studies()[:300]
    inp = tmp_path / "reports.csv"
    with open(inp, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["study_id", "report"]); w.writerows([[s.study_id, s.report] for s in iu])
    r = subprocess.run([_exe(), str(inp), "--column", "report", "-o", str(tmp_path / "out.csv"), "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "300 reports labelled" in r.stderr
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert len(rows) == 300 and rows[0]["study_id"] == iu[0].study_id
    assert list(rows[0])[-1] == "No Finding"  # CheXbert order by default
    from rrg_nb.labeler import RuleLabeler, labels_to_dict
    want = labels_to_dict(RuleLabeler().label([iu[5].report])[0])
    got = {k: int(v) for k, v in rows[5].items() if k != "study_id" and v != ""}
    assert got == want
    # and against labels written out by hand, for a report with all three values ("borderline heart size" is uncertain
    # Cardiomegaly, "airspace disease" Lung Opacity, the tracheostomy tube a device, "no large effusion" a negation)
    assert iu[28].report.startswith("Borderline heart size. Elevated left diaphragm.")
    got = {k: int(v) for k, v in rows[28].items() if k != "study_id" and v != ""}
    assert got == {"Cardiomegaly": -1, "Lung Opacity": 1, "Pneumothorax": 0, "Pleural Effusion": 0, "Support Devices": 1}

def test_rrg_label_errors_name_the_problem(tmp_path):
    (tmp_path / "a.csv").write_text("id,text\n1,No effusion.\n")
    r = subprocess.run([_exe(), str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "no column 'report'" in r.stderr and not (tmp_path / "o.csv").exists()
    r = subprocess.run([_exe(), str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "missing.csv" in r.stderr

def test_rrg_eval_on_iu_reports(tmp_path):
    import json
    from rrg_nb.data import iu_xray_studies
    iu = [s for s in iu_xray_studies() if s.report][:120]
    for name, texts in (("ref.csv", [s.report for s in iu]), ("pred.csv", [s.report for s in iu[1:]] + [iu[0].report])):
        with open(tmp_path / name, "w", newline="") as f:
            w = csv.writer(f); w.writerow(["study_id", "report"]); w.writerows(zip([s.study_id for s in iu], texts))
    exe = shutil.which("rrg-eval") or str(Path(sys.executable).with_name("rrg-eval"))
    r = subprocess.run([exe, "--pred", str(tmp_path / "pred.csv"), "--ref", str(tmp_path / "ref.csv"), "--metrics", "ce", "nlg",
                        "rexrank", "-o", str(tmp_path / "res.json"), "--n-boot", "50", "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "res.json").read_text())
    assert res["n"] == 120 and 0 <= res["metrics"]["ce_r2gen_micro_f1"] <= 1
    lo, hi = res["ci"]["BLEU_4"]; assert lo <= res["metrics"]["BLEU_4"] <= hi
    assert "radcliq_v1" in res["missing"] and "radcliq_v1" not in res["metrics"]  # no models here: missing, not faked
    assert "| ce_r2gen_micro_f1 |" in (tmp_path / "res.md").read_text()
    r = subprocess.run([exe, "--pred", str(tmp_path / "pred.csv"), "--ref", str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "nope.csv" in r.stderr

def test_rrg_eval_compares_two_systems(tmp_path):
    "rrg-eval --pred A --pred-b B: paired bootstrap and approximate randomisation, a markdown table, per-pair scores."
    import json
    from rrg_nb.data import iu_xray_studies
    iu = [s for s in iu_xray_studies() if s.report][:80]
    ids, refs = [s.study_id for s in iu], [s.report for s in iu]
    shifted = refs[1:] + refs[:1]
    systems = {"ref.csv": refs, "shifted.csv": shifted, "half.csv": [r if k % 2 else s for k, (r, s) in enumerate(zip(refs, shifted))]}
    for name, texts in systems.items():
        with open(tmp_path / name, "w", newline="") as f:
            w = csv.writer(f); w.writerow(["study_id", "report"]); w.writerows(zip(ids, texts))
    exe = shutil.which("rrg-eval") or str(Path(sys.executable).with_name("rrg-eval"))
    r = subprocess.run([exe, "--pred", str(tmp_path / "shifted.csv"), "--pred-b", str(tmp_path / "half.csv"), "--ref", str(tmp_path / "ref.csv"),
                        "-o", str(tmp_path / "cmp.json"), "--n-boot", "100", "--n-trials", "200", "--per-sample", str(tmp_path / "ps.csv")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads((tmp_path / "cmp.json").read_text())
    assert set(res["systems"]) == {"shifted", "half"} and res["ref"].endswith("ref.csv")
    d = res["systems"]["half"]["vs_shifted"]
    for m in ("ce_r2gen_micro_f1", "BLEU_4", "ROUGE_L", "CIDEr", "chexprompt_reward"):
        assert d[m]["diff"] > 0 and d[m]["lo"] > 0 and d[m]["p_randomisation"] < 0.05, (m, d[m])
        assert 1 / 201 <= d[m]["p_randomisation"] <= 1
    md = (tmp_path / "cmp.md").read_text()
    assert "| metric | shifted | half | half - shifted | 95% CI | p (bootstrap, diff <= 0) | p (randomisation) |" in md and "| BLEU_4 |" in md
    assert "p (randomisation)" in r.stdout
    rows = list(csv.DictReader(open(tmp_path / "ps.csv")))
    assert len(rows) == 160 and {x["system"] for x in rows} == {"shifted", "half"}
    assert all(float(x["ROUGE_L"]) == 1.0 for x in rows if x["system"] == "half" and ids.index(x["study_id"]) % 2)
    # the same file twice: no difference, p = 1
    r = subprocess.run([exe, "--pred", str(tmp_path / "half.csv"), "--pred-b", str(tmp_path / "half.csv"), "--ref", str(tmp_path / "ref.csv"),
                        "-o", str(tmp_path / "same.json"), "--n-boot", "20", "--n-trials", "50", "--metrics", "nlg"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    same = json.loads((tmp_path / "same.json").read_text())["systems"]
    assert set(same) == {"A", "B"} and all(v["diff"] == 0 and v["p_randomisation"] == 1 for v in same["B"]["vs_A"].values())
    # ids that differ are refused, naming the file
    with open(tmp_path / "short.csv", "w", newline="") as f:
        w = csv.writer(f); w.writerow(["study_id", "report"]); w.writerows(list(zip(ids, refs))[:-1])
    r = subprocess.run([exe, "--pred", str(tmp_path / "half.csv"), "--pred-b", str(tmp_path / "short.csv"), "--ref", str(tmp_path / "ref.csv"),
                        "-o", str(tmp_path / "x.json")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "short.csv" in r.stderr and "1 missing" in r.stderr
