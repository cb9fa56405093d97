"""Property tests over the readers of outside files: every input gives either a clear error naming the file (a
ValueError or FileNotFoundError with the path in its message; SystemExit with argparse's message for the CLI) or a
result that accounts for every input row. No other exception type escapes."""
import contextlib, csv, io, json, tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from rrg_nb.data import read_r2gen_annotation
from rrg_nb.metrics import eval_csv, read_reports_csv, rrg_eval_cli

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = ["Small", "left", "pleural", "effusion.", "No", "pneumothorax.", "Cardiomegaly.", "", " ", ",", '"', "\n", "\r", "é", "\t"]
text = st.one_of(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
                 st.text(st.characters(blacklist_categories=("Cs",)), max_size=20))
ident = st.one_of(st.sampled_from(["a", "b", "CXR1", "s5", " ", ""]), st.text("abc123_", min_size=1, max_size=4))


def clear_error(e: BaseException, *paths) -> bool:
    "A ValueError / FileNotFoundError whose message names one of `paths`."
    return isinstance(e, (ValueError, FileNotFoundError)) and any(str(p) in str(e) for p in paths)


def write_csv(path: Path, header, rows, tail: bytes = b"") -> Path:
    buf = io.StringIO(); w = csv.writer(buf); w.writerow(header); w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8") + tail)
    return path


header = st.one_of(st.just(["study_id", "report"]), st.just(["report", "study_id", "x"]), st.just(["id", "report"]),
                   st.lists(st.sampled_from(["study_id", "report", "x", ""]), min_size=0, max_size=4))
tail = st.sampled_from([b"", b"", b"", b"\xff\xfe bad bytes\n", b'"unterminated', b"\n\n", b"\x00"])


@st.composite
def table(draw):
    "A header and rows that mostly fit it (a few with a field too many or too few)."
    h = draw(header); k = max(len(h), 1)
    rows = draw(st.lists(st.one_of(st.lists(st.one_of(ident, text), min_size=k, max_size=k),
                                   st.lists(st.one_of(ident, text), min_size=1, max_size=k + 1)).filter(lambda r: r != [""]), max_size=8))
    return h, rows


@FAST
@given(table(), tail)
def test_read_reports_csv(tab, tail):
    header, rows = tab
    with tempfile.TemporaryDirectory() as d:
        p = write_csv(Path(d) / "in.csv", header, rows, tail)
        try: out = read_reports_csv(p)
        except Exception as e:
            assert clear_error(e, p), repr(e)
            return
        assert len(out) == len(rows), (out, rows)  # (blank lines, which csv skips, are not rows)


@FAST
@given(st.binary(max_size=200))
def test_read_reports_csv_raw_bytes(data):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "raw.csv"; p.write_bytes(data)
        try: out = read_reports_csv(p)
        except Exception as e:
            assert clear_error(e, p), repr(e)
            return
        assert isinstance(out, dict)


pairs = st.one_of(st.lists(st.tuples(st.text("abcdef0123", min_size=1, max_size=3), text, text), max_size=6, unique_by=lambda t: t[0]),
                  st.lists(st.tuples(st.text("abcdef0123", min_size=1, max_size=3), text, text), max_size=6))


@FAST
@given(pairs, st.sampled_from([False, False, True]), st.sampled_from([("ce",), ("nlg",), ("ce", "nlg", "judge")]))
def test_eval_csv(rows, drop_one, metrics):
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ref = write_csv(d / "ref.csv", ["study_id", "report"], [(i, r) for i, _, r in rows])
        pred = write_csv(d / "pred.csv", ["study_id", "report"], [(i, p) for i, p, _ in rows][: len(rows) - drop_one])
        try: res = eval_csv(pred, ref, metrics, n_boot=2, progress=False)
        except Exception as e:
            assert clear_error(e, pred, ref), repr(e)
            return
        assert res["n"] == len(rows) and not drop_one


@FAST
@given(st.sampled_from(["2", "2", "2", "0", "-3", "x"]), st.sampled_from(["other", "default", "default", "same", "dir"]),
       st.sampled_from(["ok", "ok", "ok", "missing", "empty_refs"]), st.sampled_from([False, False, False, True]))
def test_rrg_eval_cli(n_boot, md, ref_kind, bad_metric):
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        ref = write_csv(d / "ref.csv", ["study_id", "report"], [("a", "No effusion." if ref_kind == "ok" else ""), ("b", "Cardiomegaly." if ref_kind == "ok" else " ")])
        pred = write_csv(d / "pred.csv", ["study_id", "report"], [("a", "Effusion."), ("b", "")])
        if ref_kind == "missing": ref = d / "nope.csv"
        out = d / "r.json"
        args = ["--pred", str(pred), "--ref", str(ref), "-o", str(out), "--n-boot", n_boot, "--quiet", "--metrics", "ce", "nlg"]
        if bad_metric: args += ["bleu"]
        if md != "default": args += ["--md", {"same": str(out), "other": str(d / "t.md"), "dir": str(d)}[md]]
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try: rrg_eval_cli(args); code = 0
            except SystemExit as e: code = e.code
        if code == 0:
            assert json.loads(out.read_text())["n"] == 2 and int(n_boot) >= 1 and md != "same" and ref_kind == "ok"
        else:
            assert code == 2 and err.getvalue().strip(), err.getvalue()
            assert not out.exists() or md == "dir"


value = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), text, st.lists(text, max_size=2),
                  st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
entry = st.one_of(
    st.fixed_dictionaries({"id": ident, "report": st.one_of(text, st.none()), "image_path": st.lists(st.text(max_size=5), max_size=2)},
                          optional={"split": st.sampled_from(["train", "val", "test", "validate"]), "study_id": st.one_of(ident, st.integers(0, 3)),
                                    "subject_id": st.one_of(ident, st.integers(0, 3))}),
    st.dictionaries(st.sampled_from(["id", "report", "image_path", "split", "study_id", "subject_id"]), value, max_size=6),
    value)
good_entry = st.fixed_dictionaries({"id": ident, "report": st.one_of(text, st.none()), "image_path": st.lists(st.text(max_size=5), max_size=2)},
                                    optional={"study_id": st.sampled_from(["s1", "s2", 7]), "split": st.sampled_from(["train", "test"])})
proper = st.fixed_dictionaries({"train": st.lists(good_entry, max_size=5)}, optional={"val": st.lists(good_entry, max_size=3),
                                                                                    "test": st.lists(good_entry, max_size=3)})
annotation = st.one_of(
                       st.dictionaries(st.sampled_from(["train", "val", "test"]), st.lists(entry, max_size=5), max_size=3),
                       st.dictionaries(st.sampled_from(["train", "val", "test", "other"]), value, max_size=3), value)


@FAST
@given(st.one_of(proper, annotation))
def test_read_r2gen_annotation(data):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "annotation.json"; p.write_text(json.dumps(data))
        try: sl = read_r2gen_annotation(p)
        except Exception as e:
            assert clear_error(e, p), repr(e)
            return
        n_in = sum(len(v) for v in data.values())
        assert sl.summary["entries"] == n_in and len(sl) + sl.summary["merged_entries"] == n_in
        assert sl.summary["empty_report"] == sum(not s.findings for s in sl)
        assert len({s.study_id for s in sl}) == len(sl)  # one Study per study id


@FAST
@given(proper)
def test_read_r2gen_annotation_well_formed(data):
    test_read_r2gen_annotation.hypothesis.inner_test(data)


def test_missing_files_name_the_path(tmp_path):
    for f in (lambda p: read_reports_csv(p), lambda p: read_r2gen_annotation(p), lambda p: eval_csv(p, p, progress=False)):
        try: f(tmp_path / "nope.csv"); raise AssertionError("expected an error")
        except (ValueError, FileNotFoundError) as e: assert "nope.csv" in str(e)
