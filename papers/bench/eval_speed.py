"""rrg-eval's default suite against pycocoevalcap's BLEU + ROUGE-L + CIDEr on the same 3,927 IU X-Ray report pairs.

The pairs: every IU X-Ray study with a non-empty report (3,927 of the 3,955 shipped in torchxrayvision), in the order
`iu_xray_studies()` returns them; the reference is the study's own report, the prediction is the report of the NEXT
study in that order (cyclically), so every pair is a realistic report scored against a different real report and every
text occurs once as a prediction and once as a reference.

    python papers/bench/eval_speed.py [--rounds 3] [--n-boot 1000] [--dump numbers.json]

Both sides run in the same process, alternating, for `--rounds` rounds; the best round of each is compared.
"""
import argparse, contextlib, io, json, sys, time

def iu_pairs():
    from rrg_nb.data import iu_xray_studies
    iu = [s for s in iu_xray_studies() if s.report]
    refs = [s.report for s in iu]
    preds = refs[1:] + refs[:1]
    return preds, refs, [s.study_id for s in iu]

def coco(preds, refs):
    "pycocoevalcap's three scorers on {i: [text]} after the same tokenisation rrg-eval uses."
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.cider.cider import Cider
    from rrg_nb.metrics import nlg_tokenize
    P, R = [nlg_tokenize(p) for p in preds], [nlg_tokenize(r) for r in refs]
    gts, res = {i: [r] for i, r in enumerate(R)}, {i: [p or "."] for i, p in enumerate(P)}
    with contextlib.redirect_stdout(io.StringIO()):
        b = Bleu(4).compute_score(gts, res)[0]; r = Rouge().compute_score(gts, res)[0]; c = Cider().compute_score(gts, res)[0]
    return {"BLEU_4": b[3], "ROUGE_L": r, "CIDEr": c}

def suite(preds, refs, ids, n_boot):
    from rrg_nb.metrics import evaluate
    return evaluate(preds, refs, n_boot=n_boot, ids=ids, progress=False)

def main(argv=None):
    ap = argparse.ArgumentParser(); ap.add_argument("--rounds", type=int, default=3); ap.add_argument("--n-boot", type=int, default=1000)
    ap.add_argument("--dump", help="write the suite's values, intervals and group timings to this JSON file")
    a = ap.parse_args(argv)
    preds, refs, ids = iu_pairs()
    print(f"{len(refs)} IU X-Ray pairs (each report against the next study's report)")
    tc, ts, res = [], [], None
    for k in range(a.rounds):
        t0 = time.perf_counter(); cres = coco(preds, refs); tc.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); res = suite(preds, refs, ids, a.n_boot); ts.append(time.perf_counter() - t0)
        print(f"round {k + 1}: pycocoevalcap BLEU+ROUGE-L+CIDEr {tc[-1]:.2f} s | rrg-eval default suite {ts[-1]:.2f} s "
              f"{res['seconds']}", flush=True)
    print(f"best: pycocoevalcap {min(tc):.2f} s, default suite {min(ts):.2f} s, ratio suite/pycocoevalcap {min(ts) / min(tc):.2f}")
    print(f"check: pycocoevalcap {cres} | suite BLEU_4 {res['metrics']['BLEU_4']} ROUGE_L {res['metrics']['ROUGE_L']} CIDEr {res['metrics']['CIDEr']}")
    if a.dump:
        with open(a.dump, "w") as f: json.dump({"metrics": res["metrics"], "ci": res["ci"], "missing": res["missing"],
                                                "details": res["details"], "seconds": res["seconds"]}, f, indent=1, default=str)

if __name__ == "__main__": main()
