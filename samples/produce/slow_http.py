#!/usr/bin/python3
"""Tiny HTTP server on 127.0.0.1 used as (a) a slow third-party API (--delay) or
(b) a plain HTTP server that nginx is mistakenly pointed at with fastcgi_pass.
Stops by itself after --lifetime seconds."""
import argparse, http.server, json, threading, time, os, sys
ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--delay", type=float, default=0)
ap.add_argument("--lifetime", type=float, default=600)
a = ap.parse_args()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(a.delay)
        b = json.dumps({"rate": "7.90 EUR", "carrier": "DHL"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    do_POST = do_GET
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H)
s.daemon_threads = True
threading.Timer(a.lifetime, lambda: os._exit(0)).start()
s.serve_forever()
