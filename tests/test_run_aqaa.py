"run_aqaa through papermill at smoke size, on IU-Phantom and on an R2Gen dataset of broken images; AQAA on bad input."
import json
from pathlib import Path
import numpy as np
import cv2
import pytest

from nbrun import papermill

def _papermill(nb, out_dir, **params):
    papermill(nb, out_dir, **params)
    return out_dir

def _phantom(seed=0, size=224):
    from rrg_nb.phantom import render
    return render({}, size, seed)

def _bad_files(d: Path) -> dict:
    "Write one file per kind of bad (or odd but readable) input; returns {name: expected status or reason start}."
    im = _phantom(1)
    cv2.imwrite(str(d / "good.png"), im)
    data = (d / "good.png").read_bytes(); (d / "truncated.png").write_bytes(data[: len(data) // 2])
    cv2.imwrite(str(d / "good.jpg"), im, [cv2.IMWRITE_JPEG_QUALITY, 95])
    data = (d / "good.jpg").read_bytes(); (d / "truncated.jpg").write_bytes(data[: len(data) // 2])
    cv2.imwrite(str(d / "deep16.png"), im.astype(np.uint16) * 257)
    cv2.imwrite(str(d / "rgba.png"), np.dstack([im, im, im, np.full_like(im, 255)]))
    cv2.imwrite(str(d / "tiny.png"), im[:20, :20])
    cv2.imwrite(str(d / "constant.png"), np.full((128, 128), 77, np.uint8))
    np.save(d / "allnan.npy", np.full((128, 128), np.nan, np.float32))
    cv2.imwrite(str(d / "float.tiff"), im.astype(np.float32) / 255)
    (d / "empty.png").write_bytes(b"")
    (d / "garbage.jpg").write_bytes(b"\x00\x01 definitely not an image" * 10)
    return {"good.png": "ok", "good.jpg": "ok", "deep16.png": "ok", "rgba.png": "ok", "float.tiff": "ok",
            "truncated.png": "truncated PNG", "truncated.jpg": "truncated JPEG", "tiny.png": "too small", "constant.png": "constant image",
            "allnan.npy": "every pixel is NaN", "empty.png": "empty file", "garbage.jpg": "not a decodable image"}

def test_fixed_interface():
    "The names and behaviour the dual-loop training builds on, imported from rrg_nb.quality."
    from rrg_nb.quality import KINDS, TIERS, TIER_SEVERITY, degrade, degrade_tier
    from rrg_nb.aqaa import assess, Verdict, build_lrrg_benchmark
    assert TIERS == ("clean", "mild", "moderate", "severe") and TIER_SEVERITY["clean"] == 0 and len(KINDS) == 12
    for size in (112, 224, 512):
        im = cv2.resize(_phantom(2), (size, size))
        for k in KINDS:
            a = degrade(im, k, 3, seed=7)
            assert a.shape == im.shape and a.dtype == np.uint8 and np.array_equal(a, degrade(im, k, 3, seed=7))
        assert np.array_equal(degrade(im, "jpeg", 0), im)
    with pytest.raises(ValueError, match="unknown degradation kind"): degrade(im, "haze", 2)
    with pytest.raises(ValueError, match="severity"): degrade(im, "noise", 9)
    out, rec = degrade_tier(im, "severe", seed=3)
    assert set(rec) == {"tier", "kind", "severity", "seed"} and rec["severity"] == TIER_SEVERITY["severe"] and out.shape == im.shape
    v = assess(im)
    assert isinstance(v, Verdict) and 0 <= v.score <= 1 and v.status == "ok"
    json.dumps(v.to_dict())

@pytest.mark.parametrize("name", ["good.png", "good.jpg", "deep16.png", "rgba.png", "float.tiff", "truncated.png", "truncated.jpg",
                                  "tiny.png", "constant.png", "allnan.npy", "empty.png", "garbage.jpg"])
def test_bad_input_gives_a_verdict(tmp_path, name):
    "Every bad input ends as an 'unreadable' verdict with its reason, never an exception; odd but valid ones are read."
    from rrg_nb.aqaa import assess
    want = _bad_files(tmp_path)[name]
    v = assess(tmp_path / name)
    if want == "ok":
        assert v.status == "ok", (name, v.rationale)
        if name in ("good.png", "good.jpg", "rgba.png"): assert not v.low_quality, (name, v.rationale)  # JPEG quality 95 is not a problem
        if name in ("deep16.png", "float.tiff"): assert "windowed to 8 bits" in v.rationale and v.notes
    else:
        assert v.status == "unreadable" and v.reason.startswith(want) and v.low_quality and v.score == 0.0, (name, v.reason)
        assert v.reason in v.rationale

def test_bad_arrays_and_missing_file(tmp_path):
    from rrg_nb.aqaa import assess
    for arr, why in [(np.zeros((4, 64, 64)), "not a 2-D image"), (np.full((64, 64), np.inf), "every pixel is NaN"),
                     (np.zeros((10, 10), np.uint8), "too small"), (np.array([["a", "b"]]), "unsupported pixel type")]:
        v = assess(arr); assert v.status == "unreadable" and v.reason.startswith(why), (arr.shape, v.reason)
    assert assess(tmp_path / "nope.png").reason == "file not found"
    half = _phantom(3).astype(np.float32); half[:5] = np.nan
    assert "pixels are NaN" in assess(half).reason

def test_folder_run_counts_unreadable(tmp_path):
    from rrg_nb.aqaa import assess_folder
    expect = _bad_files(tmp_path)
    (tmp_path / "notes.txt").write_text("not an image, not counted")
    df, summary = assess_folder(tmp_path)
    bad = {n: w for n, w in expect.items() if w != "ok"}
    assert summary["files"] == len(expect) and summary["unreadable"] == len(bad) and summary["assessed"] == len(expect) - len(bad)
    assert sum(summary["unreadable_reasons"].values()) == len(bad)
    flagged = set(df[(df.status == "ok") & df.low_quality].path.map(lambda p: Path(p).name))
    assert not flagged & {"good.png", "good.jpg", "rgba.png"}, flagged
    got = dict(zip(df.path.map(lambda p: Path(p).name), df.reason))
    for n, w in bad.items(): assert got[n].startswith(w), (n, got[n])

def test_run_aqaa_smoke(tmp_path):
    "IU-Phantom at smoke size: the benchmark manifest, the low-quality subset, validation tables and figures."
    import pandas as pd
    out = _papermill("run_aqaa.ipynb", tmp_path / "aqaa", n_test=6, n_val=20, val_per_image=3, n_val_512=4, n_speed=5, n_gallery=4)
    m = json.loads((out / "metrics.json").read_text())
    assert m["n_test"] == 6 and m["benchmark"]["images"] == 24 and m["benchmark"]["unreadable"] == 0 and not m["use_report"]
    man = pd.read_csv(out / "lrrg" / "manifest.csv")
    assert len(man) == 24 and set(man.tier) == {"clean", "mild", "moderate", "severe"} and man.study_id.nunique() == 6
    for r in man[man.tier != "clean"].itertuples():
        assert Path(r.image_path).exists() and r.severity == {"mild": 2, "moderate": 3, "severe": 5}[r.tier]
    lq = pd.read_csv(out / "lrrg" / "low_quality.csv"); assert len(lq) == int(man.low_quality.sum()) and lq.low_quality.all()
    from rrg_nb.quality import ALL_KINDS, HELDOUT_KINDS  # kinds=all draws patient positioning too; held-out kinds are marked
    assert json.loads((out / "lrrg" / "summary.json").read_text())["kinds"] == list(ALL_KINDS)
    deg = man[man.tier != "clean"]; assert (deg.held_out == deg.kind.isin(HELDOUT_KINDS)).all()
    assert man[man.tier == "severe"].low_quality.mean() > man[man.tier == "clean"].low_quality.mean()
    for t in ("clean", "mild", "moderate", "severe"):
        assert len(json.loads((out / "lrrg" / t / "annotation.json").read_text())["test"]) == 6
    v = m["validation"]
    assert v["phantom_224"]["clean_n"] == 20 and 0 <= v["phantom_224"]["clean_flag_rate"] <= 1 and 0.5 <= v["phantom_224"]["auroc_moderate_plus"] <= 1
    assert v["phantom_512"]["clean_n"] == 4
    tc = {(r["reports"], r["method"]): r for r in v["text_channel"]}
    assert tc[("all", "text channel (strong cues)")]["positives"] == 86
    assert m["speed"]["images"] == 5 and m["speed"]["images_per_s_cpu"] > 0 and set(m["speed"]["per_tool_ms_cpu"]) >= {"noise", "rotation"}
    for f in ("validation_heatmap.png", "stats.png", "gallery.png", "validation_kind.csv", "text_channel.csv", "calibration.json", "run_aqaa.ipynb"):
        assert (out / f).stat().st_size > 0, f

def test_run_aqaa_on_a_dataset_with_broken_images(tmp_path):
    "An R2Gen dataset whose test images include broken files: counted as unreadable, the rest benchmarked; reports are read."
    import pandas as pd
    img = tmp_path / "images"; img.mkdir()
    expect = _bad_files(img)
    names = ["good.png", "truncated.png", "truncated.jpg", "deep16.png", "tiny.png", "constant.png", "allnan.npy"]
    test = [{"id": f"s{i}", "report": "Exam limited by patient rotation. Lungs are clear." if i == 0 else "Lungs are clear.",
             "image_path": [n], "split": "test"} for i, n in enumerate(names)]
    test.append({"id": "s_missing", "report": "Lungs are clear.", "image_path": ["missing.png"], "split": "test"})
    ann = tmp_path / "annotation.json"
    ann.write_text(json.dumps({"train": [{"id": "t0", "report": "Normal.", "image_path": ["good.png"], "split": "train"}], "val": [], "test": test}))
    from rrg_nb.aqaa import CALIBRATION
    cal = tmp_path / "limits.json"; cal.write_text(json.dumps({**CALIBRATION, "lambda": 2.5}))  # limits from a file (-p calibration_json)
    out = _papermill("run_aqaa.ipynb", tmp_path / "aqaa", dataset="r2gen", data_root=ann, image_root=img, tiers="clean,severe",
                     validate=False, n_speed=0, n_gallery=4, calibration_json=cal)
    m = json.loads((out / "metrics.json").read_text())
    assert json.loads((out / "calibration.json").read_text())["lambda"] == 2.5  # the run used (and saved) the file's limits
    assert m["use_report"] and m["n_test"] == 8 and m["benchmark"]["images"] == 16
    n_bad = sum(expect[n] != "ok" for n in names) + 1
    assert m["benchmark"]["unreadable"] == 2 * n_bad and sum(m["benchmark"]["unreadable_reasons"].values()) == 2 * n_bad
    assert any(k.startswith("truncated PNG") for k in m["benchmark"]["unreadable_reasons"]) and "file not found" in m["benchmark"]["unreadable_reasons"]
    man = pd.read_csv(out / "lrrg" / "manifest.csv").set_index(["study_id", "tier"])
    assert man.loc[("s0", "clean"), "low_quality"] and "report: rotation" in json.loads(man.loc[("s0", "clean"), "issues"])
    assert man.loc[("s3", "clean"), "status"] == "ok"  # the 16-bit image is windowed and assessed
    assert not m["validation"] and not m["speed"]
