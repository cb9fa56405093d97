"""Property tests over the `rrg-label` command line (bad input loses nothing): for any input file it either exits 2 with
`rrg-label: error:` and a message naming the file, writing nothing, or exits 0 having written one row per record of the
input (as an independent strict parse counts them), with blank labels exactly for the missing reports and the counts of
its final stderr line matching. It never prints a traceback and never replaces its input."""
import contextlib, csv, io, tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from rrg_nb.labeler import MAX_REPORT_CHARS, RuleLabeler, rrg_label_cli

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MISSING = {"", "nan", "na", "n/a", "<na>", "none", "null"}  # report cells that hold no report
N_LABELS = 14
RULE = RuleLabeler()


def run(*argv) -> tuple:
    "rrg-label in-process: (exit status, stderr)."
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try: rrg_label_cli([str(a) for a in argv]); code = 0
        except SystemExit as e: code = e.code
    return code, err.getvalue()


def strict_parse(data: bytes):
    "(header, non-blank records) by Python's csv, strict, with universal line endings; None where that parse fails."
    try: rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
    except (UnicodeDecodeError, csv.Error): return None
    return (rows[0], [r for r in rows[1:] if r]) if rows else ([], [])


def check(data: bytes, column: str = "report") -> str:
    "Run rrg-label on `data` and check the property; 'error' or 'ok'."
    with tempfile.TemporaryDirectory() as d:
        inp, out = Path(d) / "in.csv", Path(d) / "out.csv"
        inp.write_bytes(data)
        code, err = run(inp, "-o", out, "--column", column, "--quiet", "--chunk", "3")
        assert "Traceback" not in err, err
        code_same, err_same = run(inp, "-o", inp, "--column", column, "--quiet")  # -o the input: refused, input untouched
        assert code_same == 2 and inp.read_bytes() == data, err_same
        if code == 2:
            assert err.startswith(f"rrg-label: error: {inp}"), err
            assert not out.exists()
            return "error"
        assert code == 0, (code, err)
        ref = strict_parse(data)
        assert ref is not None, f"exit 0 on a file a strict parse refuses: {data!r}"
        header, recs = ref
        assert column in header and len(set(header)) == len(header), header
        assert all(len(r) <= len(header) for r in recs)
        got = list(csv.reader(open(out, newline="", encoding="utf-8"), strict=True))
        assert len(got) - 1 == len(recs), (len(got) - 1, len(recs), data)  # rows in == rows out
        c = header.index(column)
        blank = [c >= len(r) or r[c].strip().lower() in MISSING for r in recs]; missing = sum(blank)
        cut = sum(c < len(r) and len(r[c]) > MAX_REPORT_CHARS for r in recs)
        assert f"rrg-label: {len(recs)} reports labelled ({missing} empty or missing: blank labels)" in err, err
        assert (f"rrg-label: warning: {cut} reports longer than" in err) == (cut > 0), err
        want = [[""] * N_LABELS if b else ["" if x != x else str(int(x)) for x in RULE.label([r[c]])[0]] for r, b in zip(recs, blank)]
        assert [row[-N_LABELS:] for row in got[1:]] == want  # blank labels for missing reports, the rule labeler's for the others
        kept = [i for i, h in enumerate(header) if h != column]
        assert [row[:-N_LABELS] for row in got[1:]] == [[r[i] if i < len(r) else "" for i in kept] for r in recs]  # the other columns kept
        return "ok"


PIECES = [b"study_id", b"report", b",", b",", b'"', b'"', b'""', b"\n", b"\n", b"\r", b"\r\n", b"No effusion.", b"s1", b"s2",
          b" ", b"nan", b"NA", b"\xc3\xa9", b"\xff", b"\xef\xbb\xbf", b"Cardiomegaly", b"\t", b"\x00"]
pieces = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)


@FAST
@given(st.one_of(pieces.map(lambda b: b"study_id,report\n" + b), pieces, st.binary(max_size=120)))
@example(b'study_id,report\ns1,No effusion.\ns2,"Large effusion.\ns3,No pneumothorax.\ns4,Cardiomegaly."\ns5,Clear lungs.\n')  # stray quotes
@example(b'study_id,report\ns1,No effusion.\ns2,"Large" effusion.\ns3,No pneumothorax.\n')
@example(b'study_id,report\ns1,No effusion.\ns2,"Large effusion.\ns3,No pneumothorax.\n')
@example(b"study_id,report,report\ns1,a,Cardiomegaly.\n")          # a duplicated column
@example(b"study_id,report\ns1,\ns2,NaN\ns3\ns4,  \n")               # empty, NaN, missing and blank reports
@example(b"study_id,report\rs1,No effusion.\rs2,Cardiomegaly.\r")   # CR-only line endings
@example(b"study_id,report\ns1,a\rb\n")                             # a bare CR inside a \n file
def test_rrg_label_raw_bytes(data):
    check(data)


WORDS = ["Small", "left", "pleural", "effusion.", "No", "pneumothorax,", "Cardiomegaly.", "", " ", '"', "\n", "\r", "\r\n",
         ",", "NaN", "null", "é", "s7,"]
text = st.one_of(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), st.text(max_size=15),
                 st.sampled_from(["", "NA", "None", "nan", "effusion " * 2_300]))
header = st.one_of(st.just(["study_id", "report"]), st.just(["report", "study_id", "x"]),
                   st.lists(st.sampled_from(["study_id", "report", "x", ""]), max_size=4))


@st.composite
def table(draw):
    "A CSV written by csv.writer (any line ending, rows of any width), sometimes with a stray quote put in."
    h = draw(header); k = max(len(h), 1)
    rows = draw(st.lists(st.lists(text, min_size=1, max_size=k + 1), max_size=8))
    buf = io.StringIO(); w = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))); w.writerow(h); w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    if draw(st.booleans()):
        i = draw(st.integers(0, len(data))); data = data[:i] + b'"' + data[i:]
    return data


@FAST
@given(table())
def test_rrg_label_tables(data):
    check(data)


@FAST
@given(st.lists(st.tuples(st.integers(0, 999), text.filter(lambda t: "s7," not in t)), max_size=10), st.sampled_from(["\n", "\r\n"]))
def test_well_formed_files_are_labelled(rows, eol):
    "A CSV that csv.writer wrote, with ids like s12 and reports of any text (quotes, commas, line breaks), is labelled whole."
    quoting = csv.QUOTE_ALL if any("\r" in t for _, t in rows) else csv.QUOTE_MINIMAL  # QUOTE_MINIMAL leaves a lone \r bare
    buf = io.StringIO(); w = csv.writer(buf, lineterminator=eol, quoting=quoting); w.writerow(["study_id", "report"])
    w.writerows([(f"s{i}", t) for i, t in rows])
    assert check(buf.getvalue().encode("utf-8")) == "ok"
