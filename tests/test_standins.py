"""Every table carries its own caveats: each stand-in a recorded run's config implies (papers/standins.py) is named in
its paper's table.md, row-level ones on the rows that use them, and the table states the data set and labeler versions
and the CE convention."""
import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "papers"))
import standins
from standins import read_record, versions_text, CE_CONVENTION, NOT_RECORDED, UNVERSIONED

PAPERS = ("mrg_r1", "unirg", "lrrg")

def _record(paper): return read_record(ROOT / "papers" / paper / "runs", paper)
def _table(paper): return (ROOT / "papers" / paper / "table.md").read_text()

def unnamed(md: str, recs) -> list:
    "(row, seed, stand-in name) of every stand-in a run's settings imply that table.md does not name."
    return [(r["row"], r["seed"], s.name) for r in recs for s in r["standins"] if s.name not in md]

@pytest.mark.parametrize("paper", PAPERS)
def test_every_recorded_standin_is_named_in_the_table(paper):
    recs = _record(paper); md = _table(paper)
    assert recs, f"papers/{paper}/runs holds no recorded runs"
    missing = unnamed(md, recs)
    assert not missing, f"papers/{paper}/table.md does not name stand-ins its recorded runs used: {sorted(set(missing))[:10]}"

@pytest.mark.parametrize("paper", PAPERS)
def test_row_level_standins_are_marked_on_their_rows(paper):
    "A stand-in that only some rows use (a reward, the rule judge) is marked in those rows' names and has a numbered footnote."
    recs = _record(paper); md = _table(paper)
    rows = [l for l in md.splitlines() if l.startswith("| ")]
    used = {s for r in recs for s in r["standins"] if s.scope == "row"}
    for s in used:
        marked = [l for l in rows if f": {s.tag}]" in l.split(" | ")[0] or f": {s.tag};" in l.split(" | ")[0]]
        assert marked, f"papers/{paper}/table.md: no row name carries the mark of '{s.name}' ({s.tag})"
        assert any(l.startswith("- [") and f"] {s.name}" in l for l in md.splitlines()), f"no numbered footnote for '{s.name}'"

def test_the_record_uses_the_standins_it_should():
    "The map is not vacuous on the record: the stand-ins the issue names are found from the configs."
    names = {p: {s.name for r in _record(p) for s in r["standins"]} for p in PAPERS}
    for p in PAPERS: assert {"IU-Phantom", "rule labeler", "small Qwen2.5-VL"} <= names[p], (p, names[p])
    assert {"combined: 0.5 CE-F1 + 0.5 NLG, stand-in for the RadCliQ composite", "CheXprompt (rule judge)"} <= names["unirg"]
    assert {"synthetic degradations", "AQAA (rrg_nb.aqaa)"} <= names["lrrg"]
    assert "CheXprompt (rule judge)" not in names["mrg_r1"]  # no MRG-R1 reward uses the judge

@pytest.mark.parametrize("paper", PAPERS)
def test_every_recorded_setting_is_classified(paper):
    "Each recorded setting value is a known stand-in or a known real component, so a new one cannot slip into a table unnamed."
    for r in _record(paper):
        for k, (v, _) in r["settings"].items():
            assert standins.classified(k, v), f"papers/{paper} {r['row']} seed {r['seed']}: {k} = {v!r} is neither a stand-in nor a known real component (papers/standins.py)"

@pytest.mark.parametrize("paper", PAPERS)
def test_table_states_versions_and_ce_convention(paper):
    md = _table(paper); recs = _record(paper)
    assert "**Data and label versions.**" in md and CE_CONVENTION in md and "**Cells.**" in md
    assert "ce_r2gen_micro" in md and "micro average" in md and "uncertain (-1), negative (0) and not mentioned (blank) all count negative" in md
    assert "**Paper columns.**" in md
    for r in recs:
        v = r["versions"]
        if not v: assert f"dataset_version {NOT_RECORDED}" in md and f"labeler_version {NOT_RECORDED}" in md and UNVERSIONED in md
        else: assert f"dataset_version {v.get('dataset_version')}" in md and f"labeler_version {v.get('labeler_version')}" in md

def test_a_missing_standin_fails():
    "The check catches a table that leaves a stand-in out, and a config value that adds one."
    recs = _record("unirg"); md = _table("unirg")
    cut = md.replace("combined: 0.5 CE-F1 + 0.5 NLG, stand-in for the RadCliQ composite", "combined")
    assert {n for _, _, n in unnamed(cut, recs)} == {"combined: 0.5 CE-F1 + 0.5 NLG, stand-in for the RadCliQ composite"}
    m = {"grpo_vs_init": {}, "test": {"grpo": {}}, "config": {"reward": "0.5 * ce_f1 + 0.5*nlg", "model": "tiny", "labeler": "chexbert:/w.pth:/tok"}}
    got = [s.name for s in standins.standins_of(standins.settings_of(m))]
    assert got == ["IU-Phantom", "tiny Qwen2.5-VL", "combined: 0.5 CE-F1 + 0.5 NLG, stand-in for the RadCliQ composite"]  # CheXbert: none

def test_a_partial_radcliq_is_a_standin():
    "A RadCliQ reward that ran without some of its components (renormalised weights) is named as such."
    m = {"grpo_vs_init": {}, "test": {"grpo": {}}, "config": {"reward": "unirg_step1"},
         "reward_components": {"radcliq": {"used": {"bertscore": 1.0}, "missing": {"semb_score": "no CheXbert", "radgraph_combined": "no radgraph"}}}}
    assert [s.name for s in standins.partial_rewards(m)] == ["radcliq without radgraph_combined, semb_score"]
    assert standins.classified("reward", "unirg_step1") and not standins.classified("reward", "0.3*ce_f1+0.7*nlg")

def test_settings_of_old_and_new_runs():
    "Settings a config lacks come from the row config, else the notebook of the time; `versions` counts as recorded."
    old = {"grpo_vs_init": {}, "test": {"grpo": {}}, "config": {"reward": "chexprompt", "labeler": "rule"}}
    st = standins.settings_of(old)
    assert st["judge"] == ("rule", "run_grpo") and st["labeler"] == ("rule", "recorded") and st["model"] == ("small", "run_grpo")
    assert [s.name for s in standins.standins_of(st)] == ["IU-Phantom", "rule labeler", "small Qwen2.5-VL", "CheXprompt (rule judge)"]
    st = standins.settings_of({"test": {"model": {}}, "config": {}}, {"model": "tiny"})  # run_sft, model set by the row config
    assert st["model"] == ("tiny", "row config") and "judge" not in st
    new = {"tiers": {"clean": {}, "aqaa_flagged": {}}, "versions": {"dataset": "iu_phantom", "labeler": "rule"}, "config": {"tiers": ["clean"]}}
    st = standins.settings_of(new)
    assert st["dataset"] == ("iu_phantom", "recorded") and st["aqaa"] == (True, "recorded") and st["model"] == ("small", "run_dual_loop")
    assert "synthetic degradations" in [s.name for s in standins.standins_of(st)]

def test_versions_text():
    "Recorded versions are stated as recorded and grouped; runs without them are 'not recorded (before versioning)'."
    def rec(row, versions): return {"row": row, "versions": versions, "settings": {"dataset": ("iu_phantom", "x"), "labeler": ("rule", "x")}}
    v2 = {"dataset": "iu_phantom", "dataset_version": "iu_phantom_v2", "labeler": "rule", "labeler_version": 2}
    t = versions_text([rec("a", v2), rec("b", v2)])
    assert "All 2 recorded runs: data set iu_phantom, dataset_version iu_phantom_v2; labeler rule, labeler_version 2." in t and UNVERSIONED not in t
    t = versions_text([rec("a", v2), rec("b", None)])
    assert "1 runs (a): data set iu_phantom, dataset_version iu_phantom_v2" in t
    assert f"1 runs (b): data set iu_phantom, dataset_version {NOT_RECORDED}; labeler rule, labeler_version {NOT_RECORDED}" in t and UNVERSIONED in t
