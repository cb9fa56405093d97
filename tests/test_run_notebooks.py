"Every run_*.ipynb runs through papermill at smoke size and writes metrics.json, its figures and the executed notebook."
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _papermill(nb, out_dir, **params):
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / nb), str(out_dir / nb), "-p", "output_dir", str(out_dir)]
    for k, v in params.items(): cmd += ["-p", k, str(v)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    return out_dir

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
                     max_new_tokens=8)
    m = json.loads((out / "metrics.json").read_text())
    assert set(m["test"]) == {"model", "template_baseline", "shuffled_images"}
    assert 0 <= m["ce_r2gen_micro_f1"] <= 1 and len(m["test"]["model"]["ci"]["BLEU_4"]) == 2
    for f in ("loss.png", "samples.csv", "timing.json", "checkpoint-final/config.json", "run_sft.ipynb"): assert (out / f).exists(), f
    out2 = _papermill("run_sft.ipynb", tmp_path / "sft2", model=str(out / "checkpoint-final"), steps=2, batch_size=4, n_train=8,
                      n_test=4, n_boot=10, max_new_tokens=4)
    assert json.loads((out2 / "metrics.json").read_text())["config"]["model"].endswith("checkpoint-final")
