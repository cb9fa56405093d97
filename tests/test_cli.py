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

def test_rrg_label_errors_name_the_problem(tmp_path):
    (tmp_path / "a.csv").write_text("id,text\n1,No effusion.\n")
    r = subprocess.run([_exe(), str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "no column 'report'" in r.stderr and not (tmp_path / "o.csv").exists()
    r = subprocess.run([_exe(), str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.csv")], capture_output=True, text=True)
    assert r.returncode == 2 and "missing.csv" in r.stderr
