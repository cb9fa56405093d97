"""Property tests over `rrg_nb.phantom.render`'s findings: every input either raises a ValueError or TypeError whose
message names the finding at fault (for a dict) or the findings (for a label row), or gives a size x size uint8 image.
A misspelt key, a dict without a value and an unknown observation always raise; valid findings always render."""
import math

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from rrg_nb.core import LABELS
from rrg_nb.phantom import FINDING_KEYS, KINDS, OTHERS, RENDERED, SEVERITIES, SIDES, ZONES, render

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = (*RENDERED, *OTHERS, "No Finding")
ALL_KINDS = sorted({k for ks in KINDS.values() for k in ks})

often = lambda good, bad, k=4: st.integers(0, 99).flatmap(lambda i: bad if i < 100 // (k + 1) else good)  # good about k times in k + 1
anything = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.text(max_size=6), st.just(np.float32("nan")), st.just(np.int64(1)), st.just([1]), st.just({"value": 1}))
value = often(st.sampled_from([1, 0, -1, 1.0, 0.0, -1.0, math.nan, None]), anything)
name = often(st.sampled_from(NAMES), st.one_of(st.sampled_from(NAMES).map(lambda n: n[:-1]), st.sampled_from(NAMES).map(str.lower),
                                               st.text(max_size=12), st.integers(-2, 20), st.none()), k=8)
kind = often(st.one_of(st.none(), st.sampled_from(ALL_KINDS), st.lists(st.sampled_from(ALL_KINDS), max_size=3)), anything)
word = lambda valid: often(st.one_of(st.none(), st.sampled_from(valid)), anything)
bad_key = st.one_of(st.sampled_from(["sevrity", "Severity", "val", "values", "sides", "zones", "kinds", "_sides", ""]), st.text(max_size=8))
spec = st.builds(lambda d, extra: {**d, **extra},
                 often(st.fixed_dictionaries({"value": value}, optional=dict(severity=word(SEVERITIES), side=word(SIDES), zone=word(ZONES), kind=kind)),
                       st.fixed_dictionaries({}, optional=dict(severity=word(SEVERITIES), side=word(SIDES))), k=8),
                 often(st.just({}), st.dictionaries(bad_key, anything, min_size=1, max_size=2), k=6))
findings = st.dictionaries(name, st.one_of(value, spec), max_size=5)
rows = st.one_of(st.lists(st.sampled_from([1.0, 0.0, -1.0, math.nan]), min_size=14, max_size=14),
                 st.lists(value, min_size=14, max_size=14), st.lists(st.sampled_from([1.0, math.nan]), max_size=16))
sizes, seeds = st.sampled_from([64, 112]), st.integers(-2 ** 70, 2 ** 70)


def must_fail(f) -> bool:
    "Whether `f` holds an entry that render must reject: an unknown observation, a dict with an unknown key or without a value."
    if not isinstance(f, dict): return False
    return any(n not in NAMES or (isinstance(v, dict) and (any(k not in FINDING_KEYS for k in v) or "value" not in v)) for n, v in f.items())


def check(f, size, seed):
    try: img = render(f, size=size, seed=seed)
    except (ValueError, TypeError) as e:
        msg = str(e)
        if isinstance(f, dict): assert any(str(n) in msg or repr(n) in msg for n in f), f"{msg!r} names no finding of {f!r}"
        else: assert "findings" in msg or any(o in msg for o in LABELS), msg
        return None
    assert not must_fail(f), f"render accepted {f!r}"
    assert img.shape == (size, size) and img.dtype == np.uint8, (img.shape, img.dtype)
    return img


@FAST
@given(findings, sizes, seeds)
def test_render_any_findings(f, size, seed):
    check(f, size, seed)


@FAST
@given(rows, sizes, seeds)
def test_render_label_rows(f, size, seed):
    check(f, size, seed)


@st.composite
def valid_entry(draw):
    "One valid finding: a name and a bare value, or a dict of valid words (some left out; a kind from the observation's own list)."
    n, v = draw(st.sampled_from(NAMES)), draw(st.sampled_from([1, -1, 0, 1.0, -1.0, math.nan, None]))
    if draw(st.booleans()): return n, v
    d = {"value": v}
    for key, words in (("severity", SEVERITIES), ("side", SIDES), ("zone", ZONES)):
        if draw(st.booleans()): d[key] = draw(st.sampled_from((None, *words)))
    if n in KINDS and draw(st.booleans()):
        d["kind"] = draw(st.one_of(st.none(), st.sampled_from(KINDS[n]), st.lists(st.sampled_from(KINDS[n]), max_size=3)))
    return n, d


@FAST
@given(st.lists(valid_entry(), max_size=8), sizes, seeds)
def test_render_valid_findings(items, size, seed):
    img = render(dict(items), size=size, seed=seed)  # valid findings always render: any error escapes with its traceback
    assert img.shape == (size, size) and img.dtype == np.uint8
