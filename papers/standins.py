"""The stand-ins behind the papers' CPU-scale tables, in one place: which settings of a recorded run (its metrics.json
`config`, with `versions`) put a substitute where a paper's component could not run here, and the words a table uses
to name it. The table notebooks write their caveats from this module; tests/test_standins.py checks that every
stand-in a recorded run used is named in its paper's table.md.

    from standins import read_record, caveats
    recs = read_record("papers/unirg/runs", "unirg")   # one entry per run: row, seed, settings with their source, stand-ins
    caveats(recs, "unirg", ...)                        # the markdown block a table ends with

A setting a run's `config` does not record (runs made before it was recorded) is taken from its row's config
(papers/<paper>/configs/<row>.yaml) and otherwise from the run notebook's default or fixed value, and the caveats say
so; nothing is taken from the current code's defaults where the notebook of the time differed (checked for the
settings below: `judge` 'rule', `model` 'small', `dataset` 'iu_phantom' are the defaults of run_grpo, run_sft and
run_dual_loop since the first recorded run; run_sft and run_dual_loop have no labeler parameter and score with the rule
labeler).
"""
import json
from dataclasses import dataclass
from pathlib import Path
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOT_RECORDED = "not recorded (before versioning)"

@dataclass(frozen=True)
class StandIn:
    name: str  # the words the table must show (tests check that they appear in table.md)
    text: str  # the footnote: what stands in for what, and why
    scope: str = "run"  # "run": named once for the whole table; "row": marked on the rows that use it
    tag: str = ""  # a row-level stand-in's mark in the row names, beside its footnote number

# {setting: {value: StandIn}}; a value not listed here is the real component (chexbert labeler, an LLM judge, a pretrained
# VLM by path, a real data set) and needs no caveat
BY_VALUE = {
    "dataset": {"iu_phantom": StandIn(
        "IU-Phantom",
        "IU-Phantom stands in for real radiographs: the real IU X-Ray reports (a seeded split of R2Gen's sizes, 2,069 / 296 / 590 studies) with "
        "images rendered from each report's labels on real lung masks (rrg_nb.iu_phantom), not {data}. Compare the rows "
        "with each other and with their controls, not their values with the paper's.")},
    "labeler": {"rule": StandIn(
        "rule labeler",
        "the rule labeler (rrg_nb.labeler) stands in for CheXbert, whose weights are not in the embedded default: it gives "
        "the 14 labels of generated and reference reports behind every CE number, every label reward (MCCS, CE-F1) and "
        "the IU-Phantom renders; {labeler}.")},
    "judge": {"rule": StandIn(
        "CheXprompt (rule judge)",
        "the rule judge (rrg_nb.judge.RuleJudge: CheXprompt's error types approximated from the rule labeler's labels and text "
        "rules, no model) stands in for CheXprompt's GPT-4 judge, in the CheXprompt reward 1 / (1 + significant errors) and "
        "in judge_significant_errors.", "row", "rule judge")},
    "model": {
        "small": StandIn(
            "small Qwen2.5-VL",
            "the `small` preset, a Qwen2.5-VL of about 10.5M parameters built from a config (tokenizer trained on the "
            "report corpus, 112 px images) and trained here from random initialisation, stands in for {model}: no row "
            "starts from a pretrained VLM."),
        "tiny": StandIn(
            "tiny Qwen2.5-VL",
            "the `tiny` preset, a Qwen2.5-VL of about 1M parameters built from a config and trained here from random "
            "initialisation, stands in for {model}: no row starts from a pretrained VLM.")},
    "tiers": {"*": StandIn(
        "synthetic degradations",
        "synthetic, seeded degradations of the IU-Phantom images (rrg_nb.quality: noise, under- and overexposure, low "
        "contrast, motion and defocus blur, downsampling, JPEG, grid lines, collimation, rotation, foreign objects) at "
        "the benchmark tiers' mild / moderate / severe strengths stand in for the real low-quality MIMIC-CXR images of "
        "the LRRG benchmark; every row but clean-only trains on the same kinds of degradation.")},
    "aqaa": {True: StandIn(
        "AQAA (rrg_nb.aqaa)",
        "the aqaa_flagged tier holds the degraded benchmark images our AQAA (rrg_nb.aqaa: measurement tools with thresholds "
        "fitted on clean against degraded phantoms, no LLM judge) flags as low quality; it stands in for the paper's "
        "Automated Quality Assessment Agent, which is unreleased.")},
}

# {reward spec (as rrg_nb.rewards.reward_parts reads it, see `spec_key`): StandIn}: reward specs that replace a paper's reward
REWARDS = {
    "0.5*ce_f1+0.5*nlg": StandIn(
        "combined: 0.5 CE-F1 + 0.5 NLG, stand-in for the RadCliQ composite",
        "UniRG-CXR's Step-1 reward is 0.370 BERTScore + 0.253 SembScore + 0.377 RadGraph-F1 (RadCliQ-v1's weights; "
        "`-p reward unirg_step1`); BERTScore, SembScore and RadGraph need model weights that are not in the embedded "
        "default, so 0.5 CE-F1 (R2Gen convention, rule labeler) + 0.5 NLG (per report: mean of BLEU-4, ROUGE-L and "
        "min(CIDEr / 10, 1)) takes its place.", "row", "stand-in for RadCliQ"),
    "0.5*ce_f1+0.5*nlg+0.5*chexprompt": StandIn(
        "Step 2: combined stand-in + 0.5 CheXprompt (rule judge)",
        "UniRG-CXR's Step-2 reward is its Step-1 RadCliQ composite + 0.5 CheXprompt reward (`-p reward unirg_step2`); here "
        "the Step-1 part is the 0.5 CE-F1 + 0.5 NLG stand-in and CheXprompt runs on the rule judge.", "row",
        "stand-in for RadCliQ + CheXprompt"),
}

# setting values that are the real component, not a stand-in (tests/test_standins.py: every recorded value is in
# BY_VALUE / REWARDS or here, so a new value is classified before a table is built from it)
NOT_STANDINS = {
    "dataset": {"r2gen", "mimic_cxr"},  # real radiographs
    "labeler": {"chexbert"},  # and 'chexbert:<weights>:<tokenizer>'
    "judge": {"llm"},  # and 'llm:<model>@<base_url>'
    "model": set(),  # a local path or HF name of a pretrained VLM: anything that is not a preset
    "reward": {"mccs", "ccs", "format", "ce_f1", "nlg", "0.75*ce_f1+0.25*format", "mrg_r1", "chexprompt", "radcliq",
               "unirg_step1", "unirg_step2"},  # the papers' own rewards (a part that ran without some components: `partial_rewards`)
}

def classified(setting: str, value) -> bool:
    "Whether a setting's value is known here: a stand-in (BY_VALUE, REWARDS) or the real component (NOT_STANDINS)."
    if setting == "reward": return spec_key(value) in REWARDS or spec_key(value) in NOT_STANDINS["reward"]
    if setting in ("tiers", "aqaa"): return True
    known = BY_VALUE.get(setting, {})
    if value in known or "*" in known: return True
    v = str(value)
    if setting == "model":  # a preset without a BY_VALUE entry is unclassified; anything else is a pretrained VLM's path or name
        from rrg_nb.model import PRESETS
        return v not in PRESETS
    return v.split(":")[0] in NOT_STANDINS.get(setting, set())

# what each paper ran on, for the stand-in texts' {placeholders}
PAPERS = {
    "mrg_r1": dict(model="MRG-R1's pretrained HuatuoGPT-Vision-7B (LoRA)", data="the paper's IU X-Ray and MIMIC-CXR radiographs",
                   labeler="MRG-R1 labels with CheXbert, for its CE metrics and its MCCS and CE-F1 rewards"),
    "unirg": dict(model="UniRG-CXR's pretrained Qwen3-VL-8B-Instruct", data="the paper's MIMIC-CXR radiographs",
                  labeler="UniRG-CXR reports no CE (its CheXbert use is SembScore, inside RadCliQ)"),
    "lrrg": dict(model="the pretrained VLM of the LRRG paper (its abstract does not name one)", data="the paper's MIMIC-CXR radiographs",
                 labeler="the LRRG abstract names no labeler; the field's CE uses CheXbert"),
}

# a run notebook's value for a setting its metrics.json config does not record and its row config does not set: the
# default (or fixed value, where the notebook has no such parameter) of every version that wrote the recorded runs
NOTEBOOK_VALUES = {
    "run_sft": {"dataset": "iu_phantom", "model": "small", "labeler": "rule"},  # no labeler parameter: the rule labeler
    "run_grpo": {"dataset": "iu_phantom", "model": "small", "labeler": "rule", "judge": "rule"},
    "run_dual_loop": {"dataset": "iu_phantom", "model": "small", "labeler": "rule", "aqaa": True},  # no labeler parameter
}
SETTINGS = ("dataset", "labeler", "model", "judge", "reward", "tiers", "aqaa")

# the R2Gen CE convention (rrg_nb.metrics.binarize_labels(..., "r2gen") and ce_from_binary), as the tables state it
CE_CONVENTION = ("**CE convention.** CE precision / recall / F1 (`ce_r2gen_micro_*`, CE-F1 in the text) follow the R2Gen "
                 "convention (R2Gen's compute_ce.py, which MRG-R1's baselines use): the 14 CheXbert observations, No Finding "
                 "included; only a positive label (1) counts positive, uncertain (-1), negative (0) and not mentioned "
                 "(blank) all count negative; true and false positives and negatives summed over all 14 observations of "
                 "all test reports, then precision, recall and F1 (micro average). The labels of generated and reference "
                 "reports come from the labeler named below.")

# why runs without `versions` predate v2, derived from the git history (not from the runs themselves)
UNVERSIONED = ("Runs without `versions` predate commit 853721a (2026-12-07), which introduced IU-Phantom v2, labeler v2 "
               "and the `versions` field, which every run notebook writes since. Their code rendered IU-Phantom with "
               "renderer version 1 (RENDER_VERSION was 1 from the first IU-Phantom commit until 853721a) and labelled "
               "with the rule labeler's rules before v2, which had no version number (papers/labeler/log.md calls them "
               "v1). So these are not v2 results: these configs run now on v2 data and labels.")

def notebook_of(m: dict) -> str:
    "The run notebook that wrote a metrics.json, from its shape."
    return "run_dual_loop" if "tiers" in m else "run_grpo" if "grpo_vs_init" in m or "grpo" in m.get("test", {}) else "run_sft"

def spec_key(spec: str) -> str:
    "A reward spec in one spelling: '0.5*ce_f1+0.5*nlg' for ' 0.5 * ce_f1 + 0.5*nlg', a registry name as it is."
    spec = str(spec).replace(" ", "")
    if "+" not in spec and "*" not in spec: return spec
    from rrg_nb.rewards import reward_parts
    return "+".join(f"{w:g}*{k}" for k, w in reward_parts(spec).items())

def row_params(paper: str, row: str) -> dict:
    "The params of papers/<paper>/configs/<row>.yaml ({} when there is none)."
    f = ROOT / "papers" / paper / "configs" / f"{row}.yaml"
    return (yaml.safe_load(f.read_text()) or {}).get("params", {}) if f.exists() else {}

def settings_of(m: dict, params: dict = None) -> dict:
    "{setting: (value, source)} of one run: source 'recorded' (config or versions), 'row config' or the notebook's name."
    nb, cfg, ver, params = notebook_of(m), m.get("config") or {}, m.get("versions") or {}, params or {}
    out = {}
    for k in SETTINGS:
        if k in cfg: out[k] = (cfg[k], "recorded")
        elif k in ("dataset", "labeler") and k in ver: out[k] = (ver[k], "recorded")
        elif k == "tiers" and nb == "run_dual_loop": out[k] = ([t for t in m["tiers"] if t != "aqaa_flagged"], "recorded")  # the tiers scored
        elif k == "aqaa" and nb == "run_dual_loop": out[k] = ("aqaa_flagged" in m["tiers"], "recorded")
        elif k in params: out[k] = (params[k], "row config")
        elif k in NOTEBOOK_VALUES[nb]: out[k] = (NOTEBOOK_VALUES[nb][k], nb)
    if nb != "run_grpo" or "reward" not in out: out.pop("judge", None)  # the judge scores only run_grpo's outputs
    return out

def reward_part_names(spec) -> set:
    "The registry rewards a reward spec sums ({'radcliq', 'chexprompt'} for 'unirg_step2')."
    from rrg_nb.rewards import reward_parts
    try: return set(reward_parts(str(spec)))
    except ValueError: return {str(spec)}

def standins_of(settings: dict) -> list:
    "The stand-ins of one run's settings, in SETTINGS order; the judge counts here only through a CheXprompt reward part."
    out = []
    for k, (v, _) in settings.items():
        if k == "reward": s = REWARDS.get(spec_key(v))
        elif k == "judge": s = BY_VALUE["judge"].get(v) if "chexprompt" in reward_part_names(settings["reward"][0]) else None
        elif k in BY_VALUE: s = BY_VALUE[k].get("*" if "*" in BY_VALUE[k] else v)
        else: s = None
        if s: out.append(s)
    return out

def partial_rewards(m: dict) -> list:
    "A stand-in for each reward part that ran with some of its components missing (run_grpo's `reward_components`: RadCliQ)."
    out = []
    for name, d in sorted((m.get("reward_components") or {}).items()):
        miss = sorted(d.get("missing") or {})
        if miss: out.append(StandIn(
            f"{name} without {', '.join(miss)}",
            f"the {name} reward ran on the components available here ({', '.join(sorted(d.get('used') or {}))}, weights "
            f"renormalised); {', '.join(miss)} could not run (weights or package absent), so it is not the paper's {name}.",
            "row", f"partial {name}"))
    return out

def judge_standin(recs) -> "StandIn | None":
    "The judge stand-in of runs whose judge_significant_errors a table shows (None when no run used the rule judge)."
    vals = {r["settings"]["judge"][0] for r in recs if "judge" in r["settings"]}
    return BY_VALUE["judge"]["rule"] if "rule" in vals else None

def read_record(runs_dir, paper: str) -> list:
    "One dict per run under runs_dir/<row>/seed<k>/metrics.json: row, seed, notebook, versions, settings, stand-ins."
    recs = []
    for f in sorted(Path(runs_dir).glob("*/seed*/metrics.json")):
        m = json.loads(f.read_text()); row = f.parent.parent.name; st = settings_of(m, row_params(paper, row))
        recs.append({"row": row, "seed": int(f.parent.name[4:]), "notebook": notebook_of(m), "versions": m.get("versions"),
                     "settings": st, "standins": standins_of(st) + partial_rewards(m)})
    return recs

def fill(s: StandIn, paper: str) -> str:
    "A stand-in's footnote text with the paper's model and data put in."
    return s.text.format(**PAPERS[paper])

def versions_text(recs, label: str = None) -> str:
    "The data set and labeler versions the runs ran on, grouped; 'not recorded (before versioning)' for runs without them."
    groups = {}
    for r in recs:
        st, v = r["settings"], r["versions"] or {}
        key = (v.get("dataset", st.get("dataset", ("?",))[0]), v.get("dataset_version", NOT_RECORDED) if r["versions"] else NOT_RECORDED,
               v.get("labeler", st.get("labeler", ("?",))[0]), v.get("labeler_version", NOT_RECORDED) if r["versions"] else NOT_RECORDED)
        groups.setdefault(key, []).append(r)
    parts = []
    for (ds, dv, lab, lv), rs in groups.items():
        who = f"All {label or f'{len(rs)} recorded runs'}" if len(groups) == 1 else f"{len(rs)} runs ({', '.join(dict.fromkeys(r['row'] for r in rs))})"
        parts.append(f"{who}: data set {ds}, dataset_version {dv}; labeler {lab}, labeler_version {lv}")
    txt = "**Data and label versions.** " + ("; ".join(parts) if parts else "no recorded runs") + "."
    if any(not r["versions"] for r in recs): txt += " " + UNVERSIONED
    return txt

FIXED = {("run_sft", "labeler"), ("run_dual_loop", "labeler")}  # settings a run notebook has no parameter for

def provenance_text(recs, named=()) -> str:
    "Which settings behind the `named` stand-ins (and the versions line) the runs' config does not record, and where they come from."
    miss = {}
    for r in recs:
        for k, (v, src) in r["settings"].items():
            s = BY_VALUE.get(k, {}).get("*" if "*" in BY_VALUE.get(k, {}) else v)
            if src != "recorded" and (k in ("dataset", "labeler") or s in named): miss.setdefault((k, v, src), set()).add(r["row"])
    if not miss: return ""
    def where(k, src): return "the row's config" if src == "row config" else f"fixed in {src}" if (src, k) in FIXED else f"{src}'s default"
    items = [f"{k} = {v} ({where(k, src)}; {len(rows)} row{'s' if len(rows) > 1 else ''})"
             for (k, v, src), rows in sorted(miss.items(), key=lambda x: (x[0][0], x[0][2]))]
    return ("Settings the runs' metrics.json config does not record, taken from the "
            "row's config or the run notebook of the time: " + "; ".join(items) + ".")

def row_marks(recs, numbers: dict) -> dict:
    "{row: ' [1: rule judge; 2: stand-in for RadCliQ]'}: footnote number and tag of each row-level stand-in a row's runs used."
    out = {}
    for r in recs:
        for s in r["standins"]:
            if s.scope == "row" and s in numbers: out.setdefault(r["row"], {})[numbers[s]] = s.tag or s.name
    return {row: " [" + "; ".join(f"{n}: {t}" for n, t in sorted(d.items())) + "]" for row, d in out.items()}

def number_standins(recs, order=(), extra=()) -> dict:
    "{StandIn: footnote number} for the row-level stand-ins of the runs (and `extra`, e.g. a judge column), in the rows' `order`."
    out = {}; rank = {r: i for i, r in enumerate(order)}
    for s in [s for r in sorted(recs, key=lambda r: rank.get(r["row"], len(rank))) for s in r["standins"]] + [e for e in extra if e]:
        if s.scope == "row" and s not in out: out[s] = len(out) + 1
    return out

def caveats(recs, paper: str, cells: str, numbers: dict = None, paper_cols: str = "", names: dict = None, label: str = None) -> str:
    """The caveat block a table ends with: versions, CE convention, what its cells are (`cells`, the table's own words),
    the paper's columns (`paper_cols`), and every stand-in: run-wide ones once, row-level ones by footnote number
    (`numbers`, from `number_standins`) with the rows (display `names`) that use them; `label` names the runs when all agree."""
    numbers = numbers or {}; names = names or {}
    run_wide = list(dict.fromkeys(s for r in recs for s in r["standins"] if s.scope == "run"))
    lines = ["## Caveats", "", versions_text(recs, label), "", CE_CONVENTION, "", f"**Cells.** {cells}"]
    if paper_cols: lines += ["", f"**Paper columns.** {paper_cols}"]
    lines += ["", "**Stand-ins** (read from every recorded run's config; a component that could not run here and what replaced it):"]
    for s in run_wide:
        lines.append(f"- {s.name} (every run): {fill(s, paper)}")
    for s, n in sorted(numbers.items(), key=lambda x: x[1]):
        rows = list(dict.fromkeys(names.get(r["row"], r["row"]) for r in recs if s in r["standins"]))
        lines.append(f"- [{n}] {s.name}" + (f" (rows: {', '.join(rows)})" if rows else "") + f": {fill(s, paper)}")
    if not run_wide and not numbers: lines.append("- none")
    prov = provenance_text(recs, set(run_wide) | set(numbers))
    if prov: lines += ["", prov]
    return "\n".join(lines)
