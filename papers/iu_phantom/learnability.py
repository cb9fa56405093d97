"""Learnability of IU-Phantom's findings: a small CNN (`rrg_nb.iu_phantom.tiny_cnn`) trained on random renders.

    python papers/iu_phantom/learnability.py --train 2400 --val 600 --epochs 16

`random_findings` (the 13 drawn observations, p = 0.2) renders N training images (seeds 0..) and V validation images
(findings from another seed, renders seeded from 10**6), drawn at 224 px and resized to 112 px (the runs' size); the
CNN's per-observation AUROC on the validation renders is printed, positives being label 1 (the r2gen convention).
"""
import argparse, time
import cv2, numpy as np, torch
from rrg_nb.phantom import RENDERED, random_findings, render
from rrg_nb.iu_phantom import tiny_cnn


def renders(n: int, findings_seed: int, render_seed: int):
    rng = np.random.default_rng(findings_seed); fs = [random_findings(rng) for _ in range(n)]
    X = np.stack([cv2.resize(render(f, 224, render_seed + i), (112, 112), interpolation=cv2.INTER_AREA) for i, f in enumerate(fs)])
    Y = np.array([[f.get(o, {"value": 0})["value"] == 1 for o in RENDERED] for f in fs])
    return X.astype(np.float32) / 255, Y


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=int, default=2400); ap.add_argument("--val", type=int, default=600); ap.add_argument("--epochs", type=int, default=16)
    a = ap.parse_args(argv)
    torch.set_num_threads(2); cv2.setNumThreads(1)
    t0 = time.time(); Xt, Yt = renders(a.train, 0, 0); Xv, Yv = renders(a.val, 1, 10**6); t1 = time.time()
    res = tiny_cnn(Xt, Yt, Xv, Yv, epochs=a.epochs)
    print(f"render {t1 - t0:.0f} s, CNN {time.time() - t1:.0f} s")
    for o, v in res.items(): print(f"{o:28s} {v:.3f}")
    print(f"mean {np.mean(list(res.values())):.3f}, min {min(res.values()):.3f}")


if __name__ == "__main__":
    main()
