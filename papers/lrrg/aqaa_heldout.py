"""AQAA on degradations it was not built from: an independent implementation, written here from scratch (it does not
call `rrg_nb.quality.degrade` or any of its helpers; it finds the lung fields with its own code), applied to clean
IU-Phantom images, each kind at three tiers. For each kind and tier it prints and saves the share AQAA flags as low
quality (Wilson 95% intervals), and the share of the clean images it flags. The targets (from the papers' record):
every kind flagged in at least 70% of moderate cases, at most 5% of clean images flagged.

    python papers/lrrg/aqaa_heldout.py                          # 590 IU-Phantom test images, about 2 minutes on one core
    python papers/lrrg/aqaa_heldout.py --n 100 --out /tmp/h.json   # a quick look

Writes papers/lrrg/results/aqaa_heldout.json (atomically). Parameters are at 224 px (lengths scale with the image).
Lung height below is the height of the lung fields, apex to the lowest costophrenic angle, as this script finds it.

| kind | what it models | mild | moderate | severe |
|---|---|---|---|---|
| field_of_view | the detector placed too high or too low: the costophrenic angles (`base`) or the apices (`apex`) fall outside the image; the kept rows are resized back to full height (`stretch`) or cropped square and zoomed (`zoom`) | 8% of the lung height cut | 15% | 25% |
| patient_rotation | the patient turned about the vertical axis (no in-plane tilt): the spine moves sideways against the chest wall, one hemithorax projects wider and (keystone) taller, the other narrower; piecewise-linear column map anchored at the chest walls | spine shifted 3.5% of the image width (about 5 degrees), keystone 2% | 6.5% (about 10 degrees), 4% | 11% (about 18 degrees), 6% |
| poor_inspiration | low lung volumes: the diaphragm rides high, so the lung fields are shorter and their content (ribs, vessels) is crowded; the rows of the lung fields are squeezed upwards and the abdomen stretched to fill | lung height -12% (about 1 posterior rib) | -22% (about 2 ribs) | -32% (about 3 ribs) |
| gamma_exposure | a wrong exposure or window as a power-law (gamma) tone curve: `pale` (gamma < 1, under-penetrated look) or `dark` (gamma > 1, burnt-out lungs), chosen by the seed | gamma 0.75 or 1.4 | 0.55 or 1.8 | 0.4 or 2.5 |
| signal_noise | Poisson-Gaussian noise whose variance grows with the displayed gray level (`var = a I + b^2`), parametrised by its standard deviation at mid-gray (I = 128) | 3 gray levels | 5 | 9 |
| anisotropic_blur | an elliptical Gaussian point spread at a random orientation (sigma along / across) | 1.2 / 0.4 px | 2.0 / 0.6 px | 3.2 / 1.0 px |

The rationale for the three anatomical kinds. A radiograph whose costophrenic angle is cut off cannot show a small
effusion, so a base cut of 15% of the lung height (the whole costophrenic recess) is moderate. A patient turned by
about 10 degrees moves the spinous processes by about 2.5 cm against the clavicle heads (15 cm apart in depth), about
6.5% of a 38 cm film: moderate. Poor inspiration is read from the ribs: about ten posterior ribs lie above a
well-inflated diaphragm, each about a tenth of the lung height; two fewer is moderate.

IU-Phantom's renderer draws a `Low Lung Volumes` finding (lungs 13% shorter from below, denser vessels; 37 of the
590 test phantoms). This script treats it as what it is in IU-Phantom: an anatomical finding that the report states
and a report generator should name, not a degradation. Those phantoms stay in the clean set (a poor-inspiration
check that flags them adds to the clean false-positive share), and their flag share is reported on its own
(`clean_by_low_lung_volumes`): in the severity scale above, 13% sits between mild and moderate.
"""
import argparse, math, platform, sys, time
from pathlib import Path
import numpy as np
import cv2

ROOT = Path(__file__).resolve().parents[2]
TIERS = ("mild", "moderate", "severe")
REF = 224
SEED = 3_000_000  # degradation seeds of this script: disjoint from the fit (1,000,000) and validation (2,000,000) seeds

PARAMS = {  # kind -> tier -> parameters (the docstring's table)
    "field_of_view": {"mild": {"cut": 0.08}, "moderate": {"cut": 0.15}, "severe": {"cut": 0.25}},
    "patient_rotation": {"mild": {"shift": 0.035, "keystone": 0.02}, "moderate": {"shift": 0.065, "keystone": 0.04},
                         "severe": {"shift": 0.11, "keystone": 0.06}},
    "poor_inspiration": {"mild": {"loss": 0.12}, "moderate": {"loss": 0.22}, "severe": {"loss": 0.32}},
    "gamma_exposure": {"mild": {"pale": 0.75, "dark": 1.4}, "moderate": {"pale": 0.55, "dark": 1.8}, "severe": {"pale": 0.4, "dark": 2.5}},
    "signal_noise": {"mild": {"sd_mid": 3.0}, "moderate": {"sd_mid": 5.0}, "severe": {"sd_mid": 9.0}},
    "anisotropic_blur": {"mild": {"along": 1.2, "across": 0.4}, "moderate": {"along": 2.0, "across": 0.6},
                         "severe": {"along": 3.2, "across": 1.0}},
}
MEASURES = ("fov_cut", "tilt", "spine_offset", "lung_aspect", "field_p50", "clip_low", "dynamic_range", "noise_sigma", "blur")
EXPECTED = {"field_of_view": {"field of view cut"}, "patient_rotation": {"rotation"}, "poor_inspiration": {"poor inspiration"},
            "gamma_exposure": {"under-exposure", "over-exposure", "low contrast", "clipped highlights"},
            "signal_noise": {"noise"}, "anisotropic_blur": {"blur"}}  # the issue names that count as naming the problem


# --- the lung fields, found here (not with rrg_nb.quality's field_box) ----------------------------------------------
def lungs(img: np.ndarray) -> dict:
    "Rows and columns (px of `img`) of the lung fields: dark, enclosed regions (not touching the border), the two largest."
    h, w = img.shape
    n = 128
    g = cv2.GaussianBlur(cv2.resize(img, (n, n), interpolation=cv2.INTER_AREA), (0, 0), 1.5)
    t, _ = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k, lab, st, cen = cv2.connectedComponentsWithStats((g < t).astype(np.uint8), connectivity=8)
    border = set(np.unique(np.r_[lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    comp = sorted((i for i in range(1, k) if i not in border and st[i, 4] > 0.01 * n * n), key=lambda i: -st[i, 4])[:2]
    if len(comp) < 2:  # the typical IU-Phantom layout
        box = dict(top=0.19, bottom=0.63, left=(0.19, 0.46), right=(0.55, 0.82))
    else:
        a, b = sorted(comp, key=lambda i: cen[i, 0])
        top, bottom = min(st[a, 1], st[b, 1]) / n, max(st[a, 1] + st[a, 3], st[b, 1] + st[b, 3]) / n
        box = dict(top=top, bottom=bottom, left=(st[a, 0] / n, (st[a, 0] + st[a, 2]) / n), right=(st[b, 0] / n, (st[b, 0] + st[b, 2]) / n))
    T, B = box["top"] * h, box["bottom"] * h
    Lo, Li, Ri, Ro = box["left"][0] * w, box["left"][1] * w, box["right"][0] * w, box["right"][1] * w
    band = img[int(T + 0.2 * (B - T)):int(T + 0.8 * (B - T)) + 1, int(Li):int(Ri) + 1].astype(np.float32)
    spine = Li + float(np.argmax(np.convolve(band.mean(0), np.ones(5) / 5, "same"))) if band.size and band.shape[1] > 5 else (Li + Ri) / 2
    return {"top": T, "bottom": B, "outer_left": Lo, "outer_right": Ro, "spine": spine}


# --- the held-out degradations --------------------------------------------------------------------------------------
def _remap_rows(img, src_rows):
    "Each output row y shows input row src_rows[y] (linear interpolation), every column alike."
    h, w = img.shape
    my = np.repeat(np.asarray(src_rows, np.float32)[:, None], w, 1)
    mx = np.repeat(np.arange(w, dtype=np.float32)[None, :], h, 0)
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def field_of_view(img, p, rng):
    h, w = img.shape
    L = lungs(img); T, B = L["top"], L["bottom"]
    side, fit = ("base", "apex")[int(rng.integers(2))], ("stretch", "zoom")[int(rng.integers(2))]
    cut = p["cut"] * (B - T)
    y0, y1 = (0.0, B - cut) if side == "base" else (T + cut, float(h))
    if fit == "stretch":
        out = _remap_rows(img, y0 + (np.arange(h) + 0.5) * (y1 - y0) / h - 0.5)
    else:  # keep the aspect: a square window of the kept rows' height, centred on the spine
        s = y1 - y0
        x0 = float(np.clip(L["spine"] - s / 2, 0, w - s))
        M = np.float32([[s / w, 0, x0], [0, s / h, y0]])  # output -> input
        out = cv2.warpAffine(img, M, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)
    return out, f"{side}/{fit}"


def patient_rotation(img, p, rng):
    h, w = img.shape
    L = lungs(img)
    sgn = 1 if rng.random() < 0.5 else -1
    a = max(0.0, L["outer_left"] - 0.04 * w); b = min(w - 1.0, L["outer_right"] + 0.04 * w)  # the chest walls stay
    m = L["spine"]; d = sgn * p["shift"] * w
    xo = np.arange(w, dtype=np.float32)  # output column -> input column: piecewise linear through (a,a), (m+d,m), (b,b)
    xi = np.interp(xo, [0, a, m + d, b, w - 1], [0, a, m, b, w - 1]).astype(np.float32)
    # keystone: the hemithorax that projects wider is also taller (magnified about the lung fields' mid-row)
    u = np.clip((xo - (m + d)) / max(b - a, 1) * 2, -1, 1)
    scale = 1 + sgn * p["keystone"] * u  # > 1 on the wider side
    cy = (L["top"] + L["bottom"]) / 2
    yy = np.arange(h, dtype=np.float32)[:, None]
    my = (cy + (yy - cy) / scale[None, :]).astype(np.float32)
    mx = np.repeat(xi[None, :], h, 0)
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE), "spine to the " + ("right" if sgn > 0 else "left")


def poor_inspiration(img, p, rng):
    h, w = img.shape
    L = lungs(img); T, B = L["top"], min(L["bottom"], h - 2.0)
    Bn = T + (1 - p["loss"]) * (B - T)  # where the diaphragm lands
    y = np.arange(h, dtype=np.float64)
    src = np.interp(y, [0, T, Bn, h - 1], [0, T, B, h - 1])  # lungs squeezed up, abdomen stretched below
    return _remap_rows(img, src), "diaphragm up"


def gamma_exposure(img, p, rng):
    way = ("pale", "dark")[int(rng.integers(2))]
    lut = np.clip(np.round(255 * (np.arange(256) / 255.0) ** p[way]), 0, 255).astype(np.uint8)
    return cv2.LUT(img, lut), way


def signal_noise(img, p, rng):
    f = min(img.shape) / REF
    b = 1.0  # read noise (gray levels); a is set so that the sd at I = 128 is sd_mid (at 224 px; averaged down on larger images)
    a = (p["sd_mid"] ** 2 - b * b) / 128.0
    x = img.astype(np.float64)
    sd = np.sqrt(a * x + b * b) * f  # a pixel 1/f the area holds 1/f^2 the counts: f times the relative noise
    return np.clip(np.round(x + rng.normal(0, 1, img.shape) * sd), 0, 255).astype(np.uint8), "noise"


def anisotropic_blur(img, p, rng):
    f = min(img.shape) / REF
    s1, s2, th = p["along"] * f, p["across"] * f, float(rng.uniform(0, np.pi))
    r = int(math.ceil(3 * s1))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1].astype(np.float64)
    u, v = xx * math.cos(th) + yy * math.sin(th), -xx * math.sin(th) + yy * math.cos(th)
    k = np.exp(-0.5 * ((u / s1) ** 2 + (v / s2) ** 2)); k /= k.sum()
    return cv2.filter2D(img, -1, k.astype(np.float32), borderType=cv2.BORDER_REFLECT), f"{math.degrees(th):.0f} deg"


KINDS = {"field_of_view": field_of_view, "patient_rotation": patient_rotation, "poor_inspiration": poor_inspiration,
         "gamma_exposure": gamma_exposure, "signal_noise": signal_noise, "anisotropic_blur": anisotropic_blur}


def heldout_degrade(img, kind: str, tier: str, seed: int):
    "(degraded image, variant) for one held-out kind and tier, seeded."
    rng = np.random.default_rng([int(seed), list(KINDS).index(kind), TIERS.index(tier)])
    return KINDS[kind](np.ascontiguousarray(img), PARAMS[kind][tier], rng)


# --- evaluation ------------------------------------------------------------------------------------------------------
def wilson(k: int, n: int, z: float = 1.959964) -> tuple:
    "Wilson score 95% interval for k successes out of n."
    if n == 0: return (float("nan"), float("nan"))
    p = k / n; d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d; e = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (round(max(0.0, c - e), 4), round(min(1.0, c + e), 4))


def share(flags) -> dict:
    k, n = int(np.sum(flags)), len(flags)
    return {"n": n, "flagged": k, "rate": round(k / n, 4) if n else None, "ci95": wilson(k, n)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=590, help="clean images (IU-Phantom, in split order)")
    ap.add_argument("--split", default="test", help="IU-Phantom split(s), comma separated")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--out", default=str(ROOT / "papers" / "lrrg" / "results" / "aqaa_heldout.json"))
    ap.add_argument("--examples", default="", help="write a PNG of one image per kind and tier here")
    a = ap.parse_args(argv)
    cv2.setNumThreads(1)
    from rrg_nb.core import save_json
    from rrg_nb.iu_phantom import load_iu_phantom
    from rrg_nb.quality import read_image
    from rrg_nb.aqaa import CALIBRATION, assess

    kinds = [k for k in a.kinds.split(",") if k]
    splits = a.split.split(",")
    studies = [s for s in load_iu_phantom() if s.split in splits][:a.n]
    t0 = time.perf_counter()
    clean, low_vol, rows = [], [], {k: {t: [] for t in TIERS} for k in kinds}
    for i, s in enumerate(studies):
        img = read_image(s.image_paths[0])[0]
        v = assess(img)
        clean.append({"study_id": s.study_id, "flagged": v.low_quality, "issues": v.issue_names, "m": _pick(v.measurements)})
        low_vol.append(((s.meta.get("render") or {}).get("Low Lung Volumes") or {}).get("value") == 1)
        for k in kinds:
            for t in TIERS:
                x, variant = heldout_degrade(img, k, t, SEED + i)
                v = assess(x)
                rows[k][t].append({"flagged": v.low_quality, "named": bool(set(v.issue_names) & EXPECTED[k]), "variant": variant,
                                   "issues": v.issue_names, "m": _pick(v.measurements)})
        if (i + 1) % 100 == 0: print(f"{i + 1}/{len(studies)} images, {time.perf_counter() - t0:.0f} s", flush=True)

    cf = [c["flagged"] for c in clean]
    res = {"script": "papers/lrrg/aqaa_heldout.py", "argv": argv if argv is not None else sys.argv[1:],
           "images": len(studies), "split": a.split, "seed": SEED, "params": {k: PARAMS[k] for k in kinds},
           "calibration": {"version": CALIBRATION.get("version"), "lambda": CALIBRATION["lambda"], "features": sorted(CALIBRATION["features"])},
           "clean": {**share(cf), "flagged_by": _count([c["issues"] for c in clean if c["flagged"]]), "median": _medians(clean)},
           "clean_by_low_lung_volumes": {"with": share([f for f, lv in zip(cf, low_vol) if lv]),
                                         "without": share([f for f, lv in zip(cf, low_vol) if not lv])},
           "kinds": {}, "seconds": round(time.perf_counter() - t0, 1), "python": platform.python_version()}
    for k in kinds:
        res["kinds"][k] = {}
        for t in TIERS:
            r = rows[k][t]
            variants = sorted({x["variant"] for x in r}) if k in ("field_of_view", "gamma_exposure", "patient_rotation") else []
            res["kinds"][k][t] = {**share([x["flagged"] for x in r]), "named": share([x["named"] for x in r])["rate"],
                                  "issues": _count([x["issues"] for x in r if x["flagged"]]), "median": _medians(r),
                                  **({"by_variant": {vv: share([x["flagged"] for x in r if x["variant"] == vv]) for vv in variants}} if variants else {})}
    res["moderate_target_met"] = {k: res["kinds"][k]["moderate"]["rate"] >= 0.7 for k in kinds}
    res["clean_target_met"] = res["clean"]["rate"] <= 0.05
    save_json(res, a.out)
    _print(res)
    if a.examples: _examples(read_image(studies[0].image_paths[0])[0], kinds, a.examples)
    print("wrote", a.out)
    return res


def _pick(m: dict) -> dict: return {k: m.get(k, float("nan")) for k in MEASURES}


def _medians(rows) -> dict:
    "Median of each measurement in MEASURES over the rows (NaN, i.e. not measured, left out), and how many were measured."
    out = {}
    for k in MEASURES:
        x = np.array([r["m"][k] for r in rows], float)
        out[k] = round(float(np.nanmedian(x)), 4) if np.isfinite(x).any() else None
    for k in ("tilt", "spine_offset"):  # the median size, whatever the side
        x = np.abs(np.array([r["m"][k] for r in rows], float))
        out[f"|{k}|"] = round(float(np.nanmedian(x)), 4) if np.isfinite(x).any() else None
    out["n_lung_fields_found"] = int(np.isfinite([r["m"]["lung_aspect"] for r in rows]).sum())
    return out


def _count(lists) -> dict:
    out = {}
    for l in lists:
        for i in l: out[i] = out.get(i, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _fmt(d) -> str: return f"{d['rate']:.3f} [{d['ci95'][0]:.3f}, {d['ci95'][1]:.3f}]"


def _print(res):
    c = res["clean"]
    print(f"\nAQAA (calibration v{res['calibration']['version']}) on {res['images']} clean IU-Phantom images and held-out degradations")
    print(f"clean flagged: {c['flagged']}/{c['n']} = {_fmt(c)}  by {c['flagged_by']}")
    lv = res["clean_by_low_lung_volumes"]
    print(f"  clean with the Low Lung Volumes finding: {lv['with']['flagged']}/{lv['with']['n']}; without: {lv['without']['flagged']}/{lv['without']['n']}")
    print(f"{'kind':18s} " + " ".join(f"{t:>24s}" for t in TIERS) + "   named@moderate  target")
    for k, d in res["kinds"].items():
        print(f"{k:18s} " + " ".join(f"{_fmt(d[t]):>24s}" for t in TIERS) + f"   {d['moderate']['named']:.3f}          "
              + ("met" if res["moderate_target_met"][k] else "MISSED"))
        if "by_variant" in d["moderate"]:
            print(" " * 19 + "moderate by variant: " + ", ".join(f"{v} {x['flagged']}/{x['n']}" for v, x in d["moderate"]["by_variant"].items()))


def _examples(img, kinds, path):
    tiles = []
    for k in kinds:
        row = [img] + [heldout_degrade(img, k, t, SEED)[0] for t in TIERS]
        tiles.append(np.hstack(row))
    cv2.imwrite(str(path), np.vstack(tiles))


if __name__ == "__main__":
    main()
