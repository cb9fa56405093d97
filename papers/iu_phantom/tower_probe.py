"""The policy's own vision tower on IU-Phantom: pretrain_vision on the train studies, then probes on validation only.

    python papers/iu_phantom/tower_probe.py                      # the SFT recipe's tower: 4 renders per study, 8 epochs, batch 64
    python papers/iu_phantom/tower_probe.py --views 8 --bs 32    # a stage-1 candidate of the search (papers/mrg_r1/log.md)

Prints one JSON line with: the pretraining head's last-epoch validation AUROC (mean and per observation, positives
being labels 1 or -1, as pretrain_vision trains them), a logistic probe per observation on the frozen tower's pooled
tokens (mean and max over tokens; positives label 1), and the probe-decoded validation CE-F1 (r2gen micro): a writer
stating exactly the findings whose probe score passes a threshold, thresholds fitted on one half of validation and
scored on the other, both ways (papers/sft/vision_probe.py's thresholds and decoding). The test split is never read.
"""
import argparse, time, json, numpy as np, torch
from rrg_nb.runs import load_studies, run_splits
from rrg_nb.model import load_policy
from rrg_nb.train import pretrain_vision
from rrg_nb.iu_phantom import render_view
from rrg_nb.data import load_image
from rrg_nb.core import LABELS as CHEXPERT
ap = argparse.ArgumentParser()
ap.add_argument("--views", type=int, default=4); ap.add_argument("--epochs", type=int, default=8)
ap.add_argument("--lr", type=float, default=1e-3); ap.add_argument("--size", type=int, default=112)
ap.add_argument("--bs", type=int, default=64)
a = ap.parse_args()
torch.set_num_threads(2)
st = load_studies(); tr, va, te = run_splits(st)
t0 = time.time()
model, proc = load_policy("small", texts=[s.report for s in tr], seed=0)
hist = pretrain_vision(model, proc, tr, epochs=a.epochs, lr=a.lr, batch_size=a.bs, image_size=a.size, val_studies=va,
                       views=a.views, view_fn=render_view, progress=False)
t1 = time.time()
vis = model.model.visual
def feats(studies):
    ims = [load_image(s.image_paths[0], a.size) for s in studies]
    out = []
    vis.eval()
    with torch.no_grad():
        for i in range(0, len(ims), 128):
            ip = proc.image_processor(images=ims[i:i+128], return_tensors="pt")
            pv, g = ip["pixel_values"], ip["image_grid_thw"]
            f = vis(pv, grid_thw=g); f = getattr(f, "pooler_output", f)
            f = f.float().reshape(len(g), -1, f.shape[-1])
            out.append(torch.cat([f.mean(1), f.amax(1)], 1))
    return torch.cat(out).numpy()
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
Ft, Fv = feats(tr), feats(va)
Yt = np.array([[v == 1 for v in np.asarray(s.labels, float)] for s in tr]); Yv = np.array([[v == 1 for v in np.asarray(s.labels, float)] for s in va])
res = {}
for j, o in enumerate(CHEXPERT):
    if Yt[:, j].sum() < 3 or Yv[:, j].sum() < 1 or Yv[:, j].all(): continue
    clf = LogisticRegression(max_iter=2000, C=1.0, class_weight="balanced").fit(Ft, Yt[:, j])
    res[o] = round(float(roc_auc_score(Yv[:, j], clf.decision_function(Fv))), 3)
import sys; from pathlib import Path; sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sft")); import vision_probe as vp
from rrg_nb.metrics import clinical_efficacy
from rrg_nb.labeler import RuleLabeler
from rrg_nb.prompts import target_text
lv = RuleLabeler().label([target_text(s) for s in va])
P = np.zeros((len(va), 14))
for j, o in enumerate(CHEXPERT):
    yt = np.isin(np.array([s.labels[j] for s in tr], float), (1, -1))
    if yt.sum() >= 2: P[:, j] = LogisticRegression(max_iter=2000, class_weight="balanced").fit(Ft, yt).predict_proba(Fv)[:, 1]
n = len(lv); h = n // 2; preds = np.zeros_like(lv)
for A, B in ((slice(0, h), slice(h, n)), (slice(h, n), slice(0, h))):
    f, thr, q = vp.pick_thresholds(P[A], lv[A]); preds[B] = vp.decode(P[B], thr)
ce = clinical_efficacy(preds, lv, ("r2gen",))["r2gen"]["micro_f1"]
print(json.dumps({"val_probe_ce_crossfit": round(ce, 4)}))
print(json.dumps({"args": vars(a), "hist_last": hist[-1], "pretrain_s": round(t1 - t0), "probe": res,
                  "probe_mean": round(float(np.mean(list(res.values()))), 3)}))
