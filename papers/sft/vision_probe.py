"""How much of each finding can the policy's vision tower see? A diagnostic for run_sft's controls.

run_sft's small Qwen2.5-VL beats the template baseline by a few points of CE-F1 (6 in the default run). This script asks whether the
decoder or the image encoder is the bottleneck. It trains two image encoders on the IU-Phantom train split with the
multi-label objective, optimiser and one-cycle schedule of `rrg_nb.train.pretrain_vision` (BCE with positive weights
capped at 10, AdamW, lr 1e-3, weight decay 0.01, batch 64, mean-pooled tokens), and
targets from the reference findings (see below):

- `qwen_vit`: the vision tower of the `small` preset (random init, patch 14, 112 px, as run_sft builds it);
- `cnn`: a 4-block convolutional network of about 0.1M parameters on the same 112 px images (a reference point only;
  it is not a Qwen2.5-VL and no run uses it).

For each it reports per-observation AUROC on the validation split and a *probe-decoded* CE-F1 on the test split: a
writer that states exactly the findings whose probe score passes a threshold (and "No Finding" when none does), with
the thresholds picked on the validation split for the best r2gen micro-F1. Labels come from RuleLabeler on the
reference findings, as in run_sft's evaluation, and CE is computed by `rrg_nb.metrics.clinical_efficacy`; the
template-baseline row is the same computation for the most common training report.

    python papers/sft/vision_probe.py                  # both encoders, ~5 min on 2 CPU cores
    python papers/sft/vision_probe.py --epochs-vit 16  # a longer ViT schedule

Writes papers/sft/results/vision_probe.json and vision_probe.png.
"""
import argparse, json, time
from collections import Counter
from pathlib import Path
import numpy as np, torch


def load_split_arrays(image_size):
    from rrg_nb.runs import load_studies, run_splits
    from rrg_nb.labeler import RuleLabeler
    from rrg_nb.prompts import target_text
    from rrg_nb.data import load_image
    train, val, test = run_splits(load_studies("iu_phantom"))
    lab = RuleLabeler()
    out = {}
    for name, st in (("train", train), ("val", val), ("test", test)):
        x = np.stack([np.asarray(load_image(s.image_paths[0], image_size))[..., 0] for s in st])
        out[name] = (torch.tensor(x, dtype=torch.float32)[:, None] / 127.5 - 1, lab.label([target_text(s) for s in st]))
    template = Counter(target_text(s) for s in train).most_common(1)[0][0]
    return out, lab.label([template])[0]


def qwen_vit(image_size, seed):
    "The small preset's vision tower and a function from image tensors (n, 1, H, W) in [-1, 1] to pooled features."
    from PIL import Image
    from rrg_nb.model import load_policy
    policy, proc = load_policy("small", texts=["the heart is normal in size.", "no pleural effusion."] * 50, seed=seed)
    vis = policy.model.visual
    def prep(x):
        ims = [Image.fromarray(((a[0].numpy() + 1) * 127.5).round().astype(np.uint8)).convert("RGB") for a in x]
        ip = proc.image_processor(images=ims, return_tensors="pt")
        return ip["pixel_values"], ip["image_grid_thw"]
    def feats(x):
        pv, grid = prep(x)  # the processor's patching each batch (about 5% of the epoch time)
        f = vis(pv, grid_thw=grid); f = getattr(f, "pooler_output", f)
        return f.reshape(len(x), -1, f.shape[-1]).mean(1)
    return vis, feats, vis.config.out_hidden_size


def small_cnn(image_size, seed):
    torch.manual_seed(seed)
    layers = []
    for c_in, c in ((1, 16), (16, 32), (32, 64), (64, 128)):
        layers += [torch.nn.Conv2d(c_in, c, 3, padding=1), torch.nn.BatchNorm2d(c), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
    net = torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
    return net, net, 128


def train_probe(encoder, feats, dim, data, epochs, lr, batch_size, seed):
    "Multi-label training (BCE, positive weights capped at 10, AdamW, one-cycle schedule); returns history and scorer."
    from sklearn.metrics import roc_auc_score
    from rrg_nb.core import LABELS
    xtr, ltr = data["train"]; xva, lva = data["val"]
    y = torch.tensor(((ltr == 1) | (ltr == -1)).astype(np.float32)); yva = (lva == 1) | (lva == -1)
    torch.manual_seed(seed)
    head = torch.nn.Linear(dim, y.shape[1])
    pos = y.mean(0).clamp(min=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=((1 - pos) / pos).clamp(max=10.0))
    opt = torch.optim.AdamW(list(encoder.parameters()) + list(head.parameters()), lr=lr, weight_decay=0.01)
    steps = epochs * -(-len(y) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, pct_start=0.1)
    g = torch.Generator().manual_seed(seed)
    def score(x):
        encoder.eval()
        with torch.no_grad(): return torch.cat([torch.sigmoid(head(feats(x[i:i + 128]))) for i in range(0, len(x), 128)]).numpy()
    hist, t0 = [], time.process_time()
    for ep in range(epochs):
        encoder.train(); perm = torch.randperm(len(y), generator=g); tot = 0.0
        for i in range(0, len(y), batch_size):
            idx = perm[i:i + batch_size]
            loss = loss_fn(head(feats(xtr[idx].contiguous())), y[idx])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step(); tot += float(loss.detach()) * len(idx)
        p = score(xva)
        auc = {LABELS[k]: float(roc_auc_score(yva[:, k], p[:, k])) for k in range(y.shape[1]) if 0 < yva[:, k].sum() < len(yva)}
        hist.append({"epoch": ep + 1, "train_loss": tot / len(y), "val_mean_auroc": float(np.mean(list(auc.values()))),
                     "cpu_s": round(time.process_time() - t0, 1)})
        print(f"  epoch {ep + 1}: loss {hist[-1]['train_loss']:.3f}, val mean AUROC {hist[-1]['val_mean_auroc']:.3f}", flush=True)
    return hist, auc, score


def decode(probs, thr):
    "Label rows from probe scores: a finding is 1 when its score passes its threshold; No Finding when none does."
    lab = np.zeros((len(probs), 14)); lab[:, :13] = probs[:, :13] >= thr; lab[:, 13] = lab[:, :13].sum(1) == 0
    return lab


def pick_thresholds(p_val, l_val):
    "Per-finding thresholds at a common validation precision target, the target chosen for the best r2gen micro-F1."
    from rrg_nb.metrics import clinical_efficacy
    best = (-1.0, None, None)
    for q in np.linspace(0.2, 0.99, 80):
        thr = np.full(13, np.inf)
        for k in range(13):
            pos = l_val[:, k] == 1
            if not pos.any(): continue
            order = np.argsort(-p_val[:, k]); prec = np.cumsum(pos[order]) / np.arange(1, len(order) + 1)
            ok = np.nonzero(prec >= q)[0]
            if len(ok): thr[k] = p_val[order[ok.max()], k]
        f = clinical_efficacy(decode(p_val, thr), l_val, ("r2gen",))["r2gen"]["micro_f1"]
        if f > best[0]: best = (f, thr, q)
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs-vit", type=int, default=8, help="epochs for the Qwen2.5-VL tower (run_sft's vision_epochs default)")
    ap.add_argument("--epochs-cnn", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"))
    a = ap.parse_args(argv)
    from rrg_nb.core import LABELS, seed_everything
    from rrg_nb.metrics import clinical_efficacy
    torch.set_num_threads(a.threads); seed_everything(a.seed)
    data, template = load_split_arrays(a.image_size)
    l_test = data["test"][1]
    res = {"config": vars(a), "template_baseline": clinical_efficacy(np.tile(template, (len(l_test), 1)), l_test, ("r2gen",))["r2gen"]["micro_f1"]}
    for name, build, epochs in (("qwen_vit", qwen_vit, a.epochs_vit), ("cnn", small_cnn, a.epochs_cnn)):
        print(f"{name}:", flush=True)
        enc, feats, dim = build(a.image_size, a.seed)
        hist, auc, score = train_probe(enc, feats, dim, data, epochs, a.lr, a.batch_size, a.seed)
        f_val, thr, q = pick_thresholds(score(data["val"][0]), data["val"][1])
        ce = clinical_efficacy(decode(score(data["test"][0]), thr), l_test, ("r2gen",))["r2gen"]
        res[name] = {"parameters": sum(p.numel() for p in enc.parameters()), "history": hist, "val_auroc": auc,
                     "precision_target": float(q), "val_micro_f1": f_val, "test_micro_f1": ce["micro_f1"],
                     "test_per_observation": ce["per_observation"]}
    Path(a.out).mkdir(parents=True, exist_ok=True)
    tmp = Path(a.out) / "vision_probe.json.tmp"; tmp.write_text(json.dumps(res, indent=1)); tmp.replace(Path(a.out) / "vision_probe.json")
    print(f"\n{'':28s}{'qwen_vit':>10s}{'cnn':>10s}")
    for o in LABELS:
        if o in res["qwen_vit"]["val_auroc"]: print(f"{'val AUROC ' + o:28s}{res['qwen_vit']['val_auroc'][o]:10.3f}{res['cnn']['val_auroc'].get(o, float('nan')):10.3f}")
    print(f"{'mean val AUROC':28s}{res['qwen_vit']['history'][-1]['val_mean_auroc']:10.3f}{res['cnn']['history'][-1]['val_mean_auroc']:10.3f}")
    print(f"{'CPU s per epoch':28s}{res['qwen_vit']['history'][-1]['cpu_s'] / a.epochs_vit:10.1f}{res['cnn']['history'][-1]['cpu_s'] / a.epochs_cnn:10.1f}")
    print(f"{'probe-decoded test CE-F1':28s}{res['qwen_vit']['test_micro_f1']:10.4f}{res['cnn']['test_micro_f1']:10.4f}   "
          f"(template baseline {res['template_baseline']:.4f}; r2gen micro over 14)")
    import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    obs = [o for o in LABELS if o in res["qwen_vit"]["val_auroc"] and o in res["cnn"]["val_auroc"]]
    fig, ax = plt.subplots(1, 2, figsize=(12, 4), gridspec_kw={"width_ratios": [3, 1]})
    xs = np.arange(len(obs))
    for j, n in enumerate(("qwen_vit", "cnn")): ax[0].bar(xs + (j - 0.5) * 0.4, [res[n]["val_auroc"][o] for o in obs], 0.4, label=n)
    ax[0].set_xticks(xs, obs, rotation=60, ha="right"); ax[0].set_ylabel("validation AUROC"); ax[0].axhline(0.5, color="k", lw=0.5); ax[0].legend()
    ax[1].bar(["template", "qwen_vit", "cnn"], [res["template_baseline"], res["qwen_vit"]["test_micro_f1"], res["cnn"]["test_micro_f1"]], color=["grey", "C0", "C1"])
    ax[1].set_ylabel("probe-decoded test CE-F1 (r2gen micro)")
    fig.suptitle("What the image encoder sees on IU-Phantom (112 px)"); fig.tight_layout(); fig.savefig(Path(a.out) / "vision_probe.png", dpi=120)
    return res


if __name__ == "__main__":
    main()
