"""AQAA speed on one core: `assess` on 512 px radiographs stored as PNG (decode, the default measurement tools, the
calibrated decision), the same from arrays, the CPU cost of each tool, of each degradation at 224 px, and of PIQE
(pyiqa, not in the default tools) when it is installed. OpenCV and torch run on one thread; CPU time (process_time) is
the figure to compare with the target of 100 images/s, wall time is printed too (other load on the machine shows there).

    python papers/lrrg/aqaa_benchmark.py                      # 200 phantoms at 512 px, 3 rounds
    python papers/lrrg/aqaa_benchmark.py --n 100 --size 1024 --rounds 1

Writes papers/lrrg/results/aqaa_speed.json and aqaa_speed.png (per-tool CPU ms per image).
"""
import argparse, json, platform, tempfile, time
from pathlib import Path
import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="images per round")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the median round is reported")
    ap.add_argument("--out", default=str(ROOT / "papers" / "lrrg" / "results"))
    a = ap.parse_args(argv)
    import cv2, torch
    cv2.setNumThreads(1); torch.set_num_threads(1)
    import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    from rrg_nb.core import save_json
    from rrg_nb.phantom import render
    from rrg_nb.quality import DEFAULT_TOOLS, KINDS, degrade, measure, read_image, piqe, work_image
    from rrg_nb.aqaa import assess

    d = Path(tempfile.mkdtemp())
    ims = [render({}, a.size, 9000 + i) for i in range(a.n)]
    files = []
    for i, im in enumerate(ims):
        p = d / f"{i:04d}.png"; cv2.imwrite(str(p), im); files.append(p)
    assess(files[0]); assess(ims[0])  # warm-up: imports, kernel caches

    def timed(fn, items):
        c0, w0 = time.process_time(), time.perf_counter()
        for x in items: fn(x)
        return (time.process_time() - c0) / len(items), (time.perf_counter() - w0) / len(items)

    rounds = {"path": [], "array": []}
    for _ in range(a.rounds):
        rounds["path"].append(timed(assess, files)); rounds["array"].append(timed(assess, ims))
    res = {}
    for k, v in rounds.items():
        cpu = float(np.median([c for c, _ in v])); wall = float(np.median([w for _, w in v]))
        res[f"assess_from_{k}"] = {"images_per_s_cpu": round(1 / cpu, 1), "images_per_s_wall": round(1 / wall, 1), "ms_cpu": round(cpu * 1000, 2)}
    c, _ = timed(lambda p: read_image(p), files); res["decode_png_ms_cpu"] = round(c * 1000, 2)
    res["per_tool_ms_cpu"] = {t: round(timed(lambda x: measure(x, (t,)), ims[:100])[0] * 1000, 3) for t in DEFAULT_TOOLS}
    small = [cv2.resize(x, (224, 224), interpolation=cv2.INTER_AREA) for x in ims[:50]]
    res["degrade_224_ms_cpu"] = {k: round(timed(lambda x: degrade(x, k, 3, 1), small)[0] * 1000, 3) for k in KINDS}
    try:
        piqe(work_image(ims[0])); c, _ = timed(lambda x: piqe(work_image(x)), ims[:20])
        res["piqe_ms_cpu"] = round(c * 1000, 1)
    except ImportError as e: res["piqe_ms_cpu"] = f"skipped: pyiqa not installed ({e})"
    res.update(images=a.n, size=a.size, rounds=a.rounds, threads=1, cpu=platform.processor() or platform.machine(), python=platform.python_version())
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    save_json(res, out / "aqaa_speed.json")
    fig, ax = plt.subplots(figsize=(7, 3.2))
    tools = list(res["per_tool_ms_cpu"]); ms = [res["per_tool_ms_cpu"][t] for t in tools]
    ax.barh(["decode PNG"] + tools, [res["decode_png_ms_cpu"]] + ms, color=["tab:gray"] + ["tab:blue"] * len(tools))
    ax.set_xlabel(f"CPU ms per {a.size} px image (one thread)")
    ax.set_title(f"AQAA from PNG: {res['assess_from_path']['images_per_s_cpu']:.0f} images/s of CPU time "
                 f"({res['assess_from_path']['ms_cpu']:.1f} ms)", fontsize=10)
    fig.tight_layout(); fig.savefig(out / "aqaa_speed.png", dpi=120)
    print(json.dumps(res, indent=1))
    print(f"wrote {out / 'aqaa_speed.json'} and {out / 'aqaa_speed.png'}")
    return res


if __name__ == "__main__":
    main()
