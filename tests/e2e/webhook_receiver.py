#!/usr/bin/env python3
"""A partner's webhook endpoint, for tests: HTTPS, checks each request's
Onramp-Signature with the webhook's secret (HMAC-SHA256 over "<t>.<body>",
t within five minutes), answers the first attempt of every event 503 (an
outage, so every event is retried) and later ones 200, and logs each
request it accepted, one JSON line each, to --log.

  webhook_receiver.py --cert C --key K --secret-file S --log L

It prints "serving port N" on stderr once it listens.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import ssl
import sys
import threading
import time

parser = argparse.ArgumentParser()
for flag in ("--cert", "--key", "--secret-file", "--log"):
    parser.add_argument(flag, required=True)
args = parser.parse_args()

lock = threading.Lock()
attempted = set()


def verify(headers, body):
    try:
        with open(args.secret_file) as f:
            secret = f.read().strip()
    except FileNotFoundError:
        return "no secret yet"
    fields = dict(part.split("=", 1) for part in headers.get("Onramp-Signature", "").split(",") if "=" in part)
    if "t" not in fields or "v1" not in fields:
        return "no signature"
    if abs(time.time() - int(fields["t"])) > 300:
        return "too old: a replay"
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields["v1"]):
        return "bad signature"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        problem = verify(self.headers, body)
        if problem:
            self.answer(401, problem)
            return
        event = json.loads(body)
        if event["id"] != self.headers.get("Onramp-Event-Id"):
            self.answer(400, "event id header and body differ")
            return
        with lock:
            first = event["id"] not in attempted
            attempted.add(event["id"])
            if not first:
                with open(args.log, "a") as log:
                    log.write(json.dumps(event) + "\n")
        self.answer(503 if first else 200, "try again" if first else "ok")

    def answer(self, status, text):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *_):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(args.cert, args.key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(f"serving port {server.server_address[1]}", file=sys.stderr, flush=True)
server.serve_forever()
