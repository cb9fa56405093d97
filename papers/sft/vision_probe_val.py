"""papers/sft/vision_probe.py read on the validation split only (the search's rule: the test split is not read).

    python papers/sft/vision_probe_val.py vit 8     # the small preset's tower, 8 epochs, the data-set images only
    python papers/sft/vision_probe_val.py cnn 8     # the small CNN reference point

Trains the encoder as vision_probe.py does, then prints per-observation validation AUROC and the probe-decoded
validation CE-F1 with thresholds cross-fitted over the two halves of validation, beside the validation template baseline.
"""
import sys, json, time, numpy as np, torch
from pathlib import Path; sys.path.insert(0, str(Path(__file__).resolve().parent))
import vision_probe as vp
from rrg_nb.metrics import clinical_efficacy
enc_name = sys.argv[1]; epochs = int(sys.argv[2])
torch.set_num_threads(2); torch.manual_seed(0)
data, template = vp.load_split_arrays(112)
data = {k: v for k, v in data.items() if k != "test"}
build = vp.qwen_vit if enc_name == "vit" else vp.small_cnn
enc, feats, dim = build(112, 0)
t0 = time.time()
hist, auc, score = vp.train_probe(enc, feats, dim, data, epochs, 1e-3, 64, 0)
xv, lv = data["val"]; p = score(xv); n = len(lv); h = n // 2
preds = np.zeros_like(lv)
for a, b in ((slice(0, h), slice(h, n)), (slice(h, n), slice(0, h))):
    f, thr, q = vp.pick_thresholds(p[a], lv[a]); preds[b] = vp.decode(p[b], thr)
ce = clinical_efficacy(preds, lv, ("r2gen",))["r2gen"]["micro_f1"]
tpl = clinical_efficacy(np.tile(template, (n, 1)), lv, ("r2gen",))["r2gen"]["micro_f1"]
print(json.dumps({"enc": enc_name, "epochs": epochs, "s": round(time.time() - t0), "val_auroc": {k: round(v, 3) for k, v in auc.items()},
                  "mean": round(float(np.mean(list(auc.values()))), 3), "val_probe_ce_crossfit": round(ce, 4), "val_template": round(tpl, 4)}))
