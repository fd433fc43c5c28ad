"""Runs a Lambda-style rotation function the way Coffer's engine calls a `lambda` function:
the event arrives on stdin, the handler is `lambda_handler(event, context)`.

    python invoke.py MODULE_DIR [FAULT_FILE]

FAULT_FILE, when it exists, injects a fault for the tests: JSON {"step": "...", "mode":
"fail" | "hang", "marker": PATH}. "fail" raises before the handler runs that step; "hang"
runs the step, writes the marker, then sleeps (so the test can kill the engine inside the
step after its effect). Remove the file to heal the function.
"""

import json
import logging
import os
import sys
import time

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(message)s")

sys.path.insert(0, sys.argv[1])
import lambda_function  # noqa: E402

event = json.load(sys.stdin)
fault = None
if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
    with open(sys.argv[2]) as f:
        fault = json.load(f)
    if fault.get("step") != event["Step"]:
        fault = None

if fault and fault["mode"] == "fail":
    raise RuntimeError("injected failure in %s" % event["Step"])
lambda_function.lambda_handler(event, None)
if fault and fault["mode"] == "hang":
    with open(fault["marker"], "w") as f:
        f.write(event["ClientRequestToken"])
    time.sleep(600)
