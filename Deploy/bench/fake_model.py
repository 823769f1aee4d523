#!/usr/bin/env python3
"""Tests/FakeProvider/fake_openai.py for Deploy/bench/run.sh, with a listen backlog of 1024 and
TCP_NODELAY.

The test fake uses ThreadingHTTPServer's default backlog of 5: hundreds of workers connecting at
once would wait for SYN retries (a second or more) and the concurrency figures would measure the
fake, not pgassist. Everything else (arguments, scripting, wire formats) is the fake's own.
Usage: python3 fake_model.py --port 0 --port-file PATH
"""

import importlib.util
import os
import sys
from http.server import ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("fake_openai", os.path.join(ROOT, "Tests", "FakeProvider", "fake_openai.py"))
fake = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fake)

ThreadingHTTPServer.request_queue_size = 1024
# Real HTTP servers set TCP_NODELAY; without it the fake's answer (headers, then body: two writes)
# can wait for the client's delayed ACK (about 40 ms on Linux) and the chat figures would measure that.
fake.Handler.disable_nagle_algorithm = True
# The fake keeps every request for GET /__requests; the bench reads them and then clears them
# with POST /__reset, so memory stays bounded over a long run.

if __name__ == "__main__":
    sys.exit(fake.main())
