"""The LLM judge against misbehaving local endpoints (loopback only): every case ends within its deadline, a failed pair
is a counted missing value, and `evaluate` keeps its other metrics."""
import json, math, socket, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

import pytest

from rrg_nb.judge import LLMJudge, JudgeTimeoutError, JudgeConnectionError, MalformedJudgeAnswer
from rrg_nb.metrics import evaluate

GOOD = ("**Number of clinically significant errors by type:** [(A, 1), (B, 0), (C, 0), (D, 0), (E, 0), (F, 0)]\n"
        "**Number of clinically insignificant errors by type:** [(A, 0), (B, 0), (C, 0), (D, 0), (E, 0), (F, 0)]\n"
        "Number of matched findings: 1")
TIMEOUT, RETRIES = 0.5, 2


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a): pass

    def do_POST(self):
        srv = self.server
        self.rfile.read(int(self.headers["Content-Length"]))
        with srv.lock: srv.hits += 1
        mode, status, text = srv.mode, 200, GOOD
        if mode == "malformed": text = "The candidate has errors (A, lots)."
        if mode == "huge": text = GOOD.replace("(A, 1)", "(A, 100000000000000000000)")
        if mode == "500": status = 500
        out = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
        try:
            if mode == "slow": time.sleep(3 * TIMEOUT)
            self.send_response(status); self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out))); self.end_headers()
            if mode == "trickle":  # one byte every 0.1 s: each read returns in time, the whole answer never does
                for b in out: self.wfile.write(bytes([b])); self.wfile.flush(); time.sleep(0.1)
            else: self.wfile.write(out)
        except OSError: pass  # the client gave up


@pytest.fixture
def endpoint():
    servers = []
    def start(mode):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads, srv.block_on_close = True, False
        srv.mode, srv.hits, srv.lock, srv.handle_error = mode, 0, threading.Lock(), lambda *a: None
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(srv)
        return srv, f"http://127.0.0.1:{srv.server_address[1]}/v1"
    yield start
    for s in servers: s.shutdown(); s.server_close()


def closed_port_url():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return f"http://127.0.0.1:{port}/v1"


def judge(url, **kw):
    return LLMJudge(url, "m", **{"timeout": TIMEOUT, "retries": RETRIES, "backoff": 0, "max_workers": 4, **kw})


PREDS = ["Right pneumothorax.", "Small left effusion.", "Cardiomegaly."]
REFS = ["No pneumothorax.", "Small left effusion.", "Mild cardiomegaly."]
# each pair: at most RETRIES tries of TIMEOUT seconds; 3 pairs on 4 workers run side by side; 1.5 s of slack
DEADLINE = RETRIES * TIMEOUT + 1.5


@pytest.mark.parametrize("mode,error", [("malformed", MalformedJudgeAnswer), ("huge", MalformedJudgeAnswer), ("slow", JudgeTimeoutError),
                                        ("trickle", JudgeTimeoutError), ("500", Exception), ("closed", JudgeConnectionError)])
def test_every_failure_ends_in_time_as_a_counted_missing_value(endpoint, mode, error):
    url = closed_port_url() if mode == "closed" else endpoint(mode)[1]
    j = judge(url); t0 = time.monotonic()
    got = j.count(PREDS, REFS)
    dt = time.monotonic() - t0
    assert dt < DEADLINE, f"{mode}: {dt:.2f} s"
    assert len(got) == 3 and all(c.failure for c in got) and all(math.isnan(c.total()) for c in got)
    assert j.failures == 3
    t0 = time.monotonic()
    with pytest.raises(error) as e: judge(url, on_error="raise").count(PREDS[:1], REFS[:1])
    assert time.monotonic() - t0 < DEADLINE and "/v1/chat/completions" in str(e.value)


def test_trickle_holds_a_try_no_longer_than_the_timeout(endpoint):
    srv, url = endpoint("trickle")
    t0 = time.monotonic()
    with pytest.raises(JudgeTimeoutError): judge(url, retries=1, on_error="raise").count(["a"], ["b"])
    assert time.monotonic() - t0 < TIMEOUT + 0.5  # the answer would take ~20 s to trickle in


def test_circuit_breaker_stops_asking_a_dead_endpoint():
    url = closed_port_url()
    j = judge(url, retries=3, breaker=4, backoff=0.05)
    t0 = time.monotonic(); got = j.count([f"report {k}" for k in range(60)], ["ref"] * 60)
    assert time.monotonic() - t0 < 2.0
    assert all(c.failure for c in got) and j.failures == 60
    assert j.requests <= 4 + 4  # the breaker's count, plus the tries already in flight on the other workers
    assert any("circuit is open" in c.failure for c in got)


def test_a_good_endpoint_after_a_dead_one(endpoint):
    j = judge(closed_port_url(), breaker=2); j.count(["a"] * 5, ["b"] * 5)
    srv, url = endpoint("ok")
    j2 = judge(url, breaker=2); got = j2.count(PREDS, REFS)
    assert [c.significant["A"] for c in got] == [1, 1, 1] and j2.failures == 0


@pytest.mark.parametrize("mode", ["trickle", "500", "closed"])
def test_evaluate_keeps_the_other_metrics(endpoint, mode):
    url = closed_port_url() if mode == "closed" else endpoint(mode)[1]
    t0 = time.monotonic()
    res = evaluate(PREDS, REFS, judge=judge(url), n_boot=10, progress=False)
    assert time.monotonic() - t0 < DEADLINE + 5
    assert "ce_r2gen_micro_f1" in res["metrics"] and "BLEU_4" in res["metrics"]
    assert res["details"]["judge"]["unscored"] == 3 and "chexprompt_reward" in res["missing"]


def test_evaluate_with_a_working_endpoint(endpoint):
    srv, url = endpoint("ok")
    res = evaluate(PREDS, REFS, metrics=("judge",), judge=judge(url), n_boot=10, progress=False)
    assert res["metrics"]["judge_significant_errors"] == 1.0 and res["details"]["judge"]["unscored"] == 0
    assert res["details"]["judge"]["model"] == "m"
