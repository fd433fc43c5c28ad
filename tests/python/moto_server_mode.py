"""A pytest plugin that runs moto 5.2.5's Secrets Manager suite against a foreign endpoint.

Loaded by tests/tests/moto_suite.rs (`pytest -p moto_server_mode`) with moto's server mode
on (TEST_SERVER_MODE=true, TEST_SERVER_MODE_ENDPOINT=the endpoint). It does two things:

- test_server.py's raw tests post bodies to moto's in-process Flask test client, and its
  autouse fixture skips them in server mode. Here they run for real: the fixture is dropped,
  and `moto.server.create_backend_app(...).test_client()` becomes a client that sends the
  same method, path, headers and body over HTTP to the endpoint, SigV4-signed for us-east-1
  with moto's test credentials (moto's own server needs the signature too).
- Every test's outcome is written as JSON to COFFER_MOTO_REPORT for the Rust test to tally:
  {"outcomes": {nodeid: "passed" | "failed" | "skipped"}, "deselected": [nodeid, ...]}.
- The tests named in COFFER_MOTO_DESELECT (a JSON list of node ids) are deselected.
"""

import json
import os
import urllib.error
import urllib.request

import moto.server
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ["TEST_SERVER_MODE_ENDPOINT"].rstrip("/")
REPORT = os.environ["COFFER_MOTO_REPORT"]
CREDENTIALS = Credentials("FOOBARKEY", "FOOBARSECRET")
RAW_MODULE = "test_server.py"


class Response:
    """What the raw tests read of a Flask test response: data, status_code, json."""

    def __init__(self, status, headers, data):
        self.status_code = status
        self.headers = headers
        self.data = data

    def get_data(self, as_text=False):
        return self.data.decode("utf-8") if as_text else self.data

    @property
    def json(self):
        return json.loads(self.data)


class SignedHttpClient:
    """Flask's test client's `post`/`open`, over real HTTP to the endpoint, signed."""

    def post(self, path, **kwargs):
        return self.open(path, method="POST", **kwargs)

    def open(self, path, method="GET", json=None, data=None, headers=None):
        headers = dict(headers or {})
        if json is not None:
            body = _json_dumps(json)
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(data, str):
            body = data.encode("utf-8")
        else:
            body = data or b""
        request = AWSRequest(method=method, url=ENDPOINT + path, data=body, headers=headers)
        SigV4Auth(CREDENTIALS, "secretsmanager", "us-east-1").add_auth(request)
        prepared = request.prepare()
        http = urllib.request.Request(
            prepared.url, data=body, method=method, headers=dict(prepared.headers.items())
        )
        try:
            with urllib.request.urlopen(http, timeout=30) as r:
                return Response(r.status, dict(r.headers.items()), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, dict(e.headers.items()), e.read())


def _json_dumps(value):
    return json.dumps(value).encode("utf-8")


class ForeignBackend:
    def test_client(self):
        return SignedHttpClient()


def _create_backend_app(service):
    assert service == "secretsmanager", f"only Secrets Manager is served, not {service}"
    return ForeignBackend()


_outcomes = {}
_deselected = []


def pytest_configure(config):
    moto.server.create_backend_app = _create_backend_app


def _chosen(nodeid, names):
    # An exact node id, or a test function's id standing for all its parametrized cases
    # (pytest's own --deselect matches prefixes, so it would also drop test_x_more for test_x).
    return nodeid in names or nodeid.split("[")[0] in names


def pytest_collection_modifyitems(config, items):
    deselect = set(json.loads(os.environ.get("COFFER_MOTO_DESELECT", "[]")))
    kept, dropped = [], []
    for item in items:
        (dropped if _chosen(item.nodeid, deselect) else kept).append(item)
        if item.nodeid.split("::")[0].endswith(RAW_MODULE):
            names = item.fixturenames
            if "skip_in_server_mode" in names:
                names.remove("skip_in_server_mode")
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_deselected(items):
    _deselected.extend(item.nodeid for item in items)


def pytest_runtest_logreport(report):
    # A setup that fails or skips decides; otherwise the call does; a teardown can only fail.
    if report.when == "setup" and not report.passed:
        _outcomes[report.nodeid] = "skipped" if report.skipped else "failed"
    elif report.when == "call":
        _outcomes[report.nodeid] = report.outcome
    elif report.when == "teardown" and report.failed:
        _outcomes[report.nodeid] = "failed"


def pytest_sessionfinish(session, exitstatus):
    with open(REPORT, "w", encoding="utf-8") as f:
        json.dump({"outcomes": _outcomes, "deselected": _deselected}, f)
