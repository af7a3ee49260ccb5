#!/usr/bin/python3
"""Bounded loopback traffic generator for the handoff log samples.

Sends HTTP requests ONLY to 127.0.0.1, from source addresses in 127.0.0.0/8
(so nginx sees different "clients"), with browser-like user agents.
Always bounded: --n requests max and --max-seconds wall time max.
"""
import argparse, http.client, random, sys, threading, time, collections

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host-header", default=None)
    ap.add_argument("--paths", nargs="+", required=True, help="PATH[@WEIGHT], prefix POST: for POST")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--c", type=int, default=4)
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--rate", type=float, default=0, help="max requests/s overall (0 = unlimited)")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--ua", default=None, help="fixed user agent (default: random browser)")
    ap.add_argument("--src", default="127.0.1.0/24", help="source pool: 127.A.B.0/24 style or single address")
    ap.add_argument("--body-bytes", type=int, default=0, help="for POST: body size")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    paths, weights = [], []
    for p in a.paths:
        path, _, w = p.partition("@")
        paths.append(path); weights.append(int(w or 1))
    if a.src.endswith("/24"):
        base = a.src.rsplit(".", 1)[0]
        srcs = ["%s.%d" % (base, i) for i in rnd.sample(range(2, 250), 40)]
    else:
        srcs = [a.src]
    assert all(s.startswith("127.") for s in srcs), "loopback only"
    lock = threading.Lock()
    state = {"left": a.n, "next": time.monotonic()}
    stats = collections.Counter()
    deadline = time.monotonic() + a.max_seconds

    def take():
        with lock:
            if state["left"] <= 0 or time.monotonic() >= deadline:
                return False
            state["left"] -= 1
            if a.rate > 0:
                now = time.monotonic()
                wait = state["next"] - now
                state["next"] = max(now, state["next"]) + 1.0 / a.rate
            else:
                wait = 0
        if wait > 0:
            time.sleep(wait)
        return True

    def worker(i):
        r = random.Random(rnd.random())
        while take():
            spec = r.choices(paths, weights)[0]
            method, path = ("GET", spec)
            if ":" in spec.split("/")[0]:
                method, path = spec.split(":", 1)
            ua = a.ua or r.choice(BROWSERS)
            hdrs = {"User-Agent": ua, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                    "Accept-Language": "en-US,en;q=0.9"}
            if a.host_header:
                hdrs["Host"] = a.host_header
            if r.random() < 0.5 and a.ua is None:
                hdrs["Referer"] = "http://%s/" % (a.host_header or "127.0.0.1")
            body = None
            if method == "POST":
                body = b"x" * a.body_bytes
                hdrs["Content-Type"] = "application/octet-stream"
            src = r.choice(srcs)
            try:
                c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=a.timeout, source_address=(src, 0))
                c.request(method, path, body=body, headers=hdrs)
                resp = c.getresponse(); resp.read()
                stats[resp.status] += 1
                c.close()
            except Exception as e:
                stats[type(e).__name__] += 1

    ts = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(a.c)]
    for t in ts: t.start()
    for t in ts: t.join(max(0.1, deadline - time.monotonic() + a.timeout + 1))
    print("load %s: %s" % (" ".join(a.paths)[:80], dict(stats)), file=sys.stderr)

if __name__ == "__main__":
    main()
