"""The load generator of scripts/bench-endpoint: the same SigV4-signed requests to each
server, over keep-alive loopback connections, from several processes.

Each request is signed once with botocore's SigV4Auth and replayed (a signature stays
valid for 15 minutes), so the generator spends its time sending, not signing.

usage: bench_endpoint_load.py NAME=URL... --secret-id ID --access-key K --secret-key S
"""

import argparse
import http.client
import json
import multiprocessing
import time
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(url, target, body, key, secret):
    req = AWSRequest(
        method="POST",
        url=url + "/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target},
    )
    botocore.auth.SigV4Auth(Credentials(key, secret), "secretsmanager", "us-east-1").add_auth(req)
    p = req.prepare()
    return dict(p.headers), p.body


def worker(args):
    url, headers, body, seconds, rate = args
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    lat, errors = [], 0
    end = time.perf_counter() + seconds
    interval = 1.0 / rate if rate else 0.0
    next_at = time.perf_counter()
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        if interval:
            if now < next_at:
                time.sleep(next_at - now)
            next_at += interval
        t0 = time.perf_counter()
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        lat.append(time.perf_counter() - t0)
        if r.status != 200:
            errors += 1
    return lat, errors


def measure(url, target, body, key, secret, procs, seconds, rate=None):
    headers, data = signed(url, target, body, key, secret)
    per = rate / procs if rate else None
    with multiprocessing.Pool(procs) as pool:
        t0 = time.perf_counter()
        results = pool.map(worker, [(url, headers, data, seconds, per)] * procs)
        wall = time.perf_counter() - t0
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
    return {"requests": len(lat), "errors": errors, "rps": len(lat) / wall, "p50_ms": pct(0.50), "p99_ms": pct(0.99)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("servers", nargs="+", help="NAME=URL")
    p.add_argument("--secret-id", required=True)
    p.add_argument("--access-key", required=True)
    p.add_argument("--secret-key", required=True)
    p.add_argument("--moto-access-key", default="testing")
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--seconds", type=float, default=5)
    a = p.parse_args()
    body = json.dumps({"SecretId": a.secret_id}).encode()
    results = {}
    for spec in a.servers:
        name, url = spec.split("=", 1)
        key, secret = (a.access_key, a.secret_key) if name == "coffer" else (a.moto_access_key, "testing")
        for op in ["GetSecretValue", "DescribeSecret"]:
            r = measure(url, f"secretsmanager.{op}", body, key, secret, a.procs, a.seconds)
            results[(name, op)] = r
            print(f"{name:8} {op:15} {r['rps']:9.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  errors {r['errors']}", flush=True)
        r = measure(url, "secretsmanager.GetSecretValue", body, key, secret, 2, a.seconds, rate=1000)
        print(f"{name:8} GetSecretValue at ~1,000 req/s: {r['rps']:.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}", flush=True)
    names = [s.split("=", 1)[0] for s in a.servers]
    if "coffer" in names and "moto" in names:
        for op in ["GetSecretValue", "DescribeSecret"]:
            ratio = results[("coffer", op)]["rps"] / max(results[("moto", op)]["rps"], 1e-9)
            print(f"ratio coffer/moto {op}: {ratio:.1f}x", flush=True)


if __name__ == "__main__":
    main()
