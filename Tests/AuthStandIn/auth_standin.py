#!/usr/bin/env python3
"""A stand-in for the deployment's auth service, for pgassist's tests (nginx's auth_request target).

Any GET with `Authorization: Bearer TOKEN` (the scheme in any case) for a token in the table is
answered 200 with `X-Auth-User: USER`; anything else is a 401 with `WWW-Authenticate: Bearer`.
Two kinds of entries test the edges: a token mapped to an empty user is answered 200 without
X-Auth-User, and a token given with --forbid is answered 403.

    GET  /__requests   every request received so far (control paths aside): method, path, headers
                       (Authorization masked but for its last 4 characters), bodyBytes
    POST /__reset      forgets the recorded requests

Usage: python3 auth_standin.py --port 0 --port-file PATH [--token TOKEN=USER ...] [--tokens FILE.json]
                               [--forbid TOKEN ...]
FILE.json is an object {"TOKEN": "USER", ...}. Standard library only.
"""

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "PythonSupport"))
import stand_in  # noqa: E402 - found through the path set just above

log = stand_in.logger("auth_standin")


def mask(value):
    """A credential reduced to its last 4 characters, for logs and the recorded requests."""
    return "…" + value[-4:] if len(value) > 4 else "…"


class State:
    """The token table and what was asked, shared by the handler threads."""

    def __init__(self, users, forbidden):
        self.users = users
        self.forbidden = forbidden
        self.requests = stand_in.RequestLog()


class Handler(BaseHTTPRequestHandler):
    state = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def do_GET(self):
        if self.path == "/__requests":
            self.send(200, body=json.dumps(self.state.requests.recorded()).encode())
            return
        self.check()

    def do_POST(self):
        if self.path == "/__reset":
            self.state.requests.clear()
            self.send(200, body=b"{}")
            return
        self.check()

    def check(self):
        """Answers an auth_request subrequest from the Authorization header alone."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name: (mask(value) if name.lower() == "authorization" else value)
                   for name, value in self.headers.items()}
        self.state.requests.record({"method": self.command, "path": self.path, "headers": headers, "bodyBytes": len(body)})

        token = self.bearer_token()
        if token is not None and token in self.state.forbidden:
            log(f"{self.command} {self.path}: token {mask(token)} forbidden → 403")
            self.send(403)
        elif token is not None and token in self.state.users:
            user = self.state.users[token]
            log(f"{self.command} {self.path}: token {mask(token)} → 200 {user or '(no user)'}")
            self.send(200, headers={"X-Auth-User": user} if user else {})
        else:
            log(f"{self.command} {self.path}: {'unknown token ' + mask(token) if token else 'no bearer token'} → 401")
            self.send(401, headers={"WWW-Authenticate": "Bearer"})

    def bearer_token(self):
        value = self.headers.get("Authorization") or ""
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None

    def send(self, status, headers=None, body=b""):
        self.send_response(status)
        for name, value in (headers or {}).items():
            # As UTF-8 bytes: http.server would encode the value as Latin-1 and refuse a name like "Amélie" in NFD.
            self.send_header(name, value.encode("utf-8").decode("latin-1"))
        if body:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def token_table(options):
    users = {}
    if options.tokens:
        with open(options.tokens, encoding="utf-8") as file:
            table = json.load(file)
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            sys.exit(f"{options.tokens}: expected a JSON object of token → user strings")
        users.update(table)
    for entry in options.token:
        token, separator, user = entry.partition("=")
        if not separator or not token:
            sys.exit(f"--token {entry!r}: expected TOKEN=USER")
        users[token] = user
    return users


def main():
    parser = argparse.ArgumentParser(description="An auth service stand-in for nginx's auth_request.")
    stand_in.add_server_arguments(parser)
    parser.add_argument("--token", action="append", default=[], help="TOKEN=USER (repeatable)")
    parser.add_argument("--tokens", help="a JSON file {\"TOKEN\": \"USER\", ...}")
    parser.add_argument("--forbid", action="append", default=[], help="a token answered 403 (repeatable)")
    options = parser.parse_args()
    Handler.state = State(token_table(options), set(options.forbid))
    stand_in.serve(Handler, options, log, banner=f"with {len(Handler.state.users)} token(s)")


if __name__ == "__main__":
    main()
