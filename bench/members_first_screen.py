"""Benchmark: the worker's phone home (``/members/``), first screen on a throttled 3G profile.

Goal (#18): the first screen paints in under a second on 3G. The figure is measured here, not in
a test: a timed assertion in a test fails whenever the machine is busy, and a test must fail only
when the product is wrong. The suite checks instead what makes the figure possible and does not
depend on the machine: the first paint needs one request (no render-blocking stylesheet or
script) and the HTML stays under a byte budget (``tests/members/test_browser.py``).

What it does, as production runs:

1. builds the demo data set (``gongjiang demo --no-serve``) in a data directory of its own, on the
   embedded SQLite default or on ``--database-url``; reused when it exists;
2. starts ``gongjiang serve`` (gunicorn, DEBUG off) on a free local port;
3. the **anchor**: a bare HTML page of one paragraph, served over the same loopback by a plain
   Python HTTP server on another port: the fastest first paint this profile allows (one round
   trip and a paint), so the home's figure can be read against it;
4. drives Debian's Chromium (headless, 390 × 844, as a phone) through DevTools' "3G" preset
   (562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up), cache disabled and no service worker,
   logged in as the demo worker; loads the anchor and the home ``--runs`` times each,
   alternating, and reads each first contentful paint from the browser's own timing;
5. prints one JSON object: medians and p90 of both, the home's HTML bytes on the wire, the
   render-blocking requests it made, and the machine's load before and after.

Run::

    .venv/bin/python bench/members_first_screen.py --runs 15
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _env  # noqa: E402  (the product as production runs it: DEBUG off)

# Chrome DevTools' "3G" preset, as in tests/members/test_browser.py
THROTTLED_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
}
DEMO_PASSWORD = "Gongjiang-2026!"
ANCHOR_HTML = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width"><title>锚</title><p>工会e家</p></html>'
).encode()

FCP = (
    "() => { const p = performance.getEntriesByName('first-contentful-paint')[0];"
    " return p ? p.startTime : null; }"
)
PAGE_FACTS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const blocking = performance.getEntriesByType('resource')
    .filter(r => r.renderBlockingStatus === 'blocking').map(r => r.name);
  return {html_bytes_on_wire: nav.transferSize, html_bytes: nav.decodedBodySize,
          render_blocking: blocking};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port} after {seconds:.0f} s")


class Anchor(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(ANCHOR_HTML)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(ANCHOR_HTML)

    def log_message(self, *args: Any) -> None:
        pass


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered)),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]),
        "min_ms": round(ordered[0]),
        "max_ms": round(ordered[-1]),
    }


def throttled_paint(page: Any, url: str) -> float:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", THROTTLED_3G)
    try:
        page.goto(url, wait_until="load")
        # the paint entry can be reported just after the load event
        painted = page.wait_for_function(FCP, timeout=10_000).json_value()
    finally:
        cdp.detach()
    if painted is None:
        raise SystemExit(f"{url}: the browser reported no first contentful paint")
    return float(painted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="loads of each page")
    parser.add_argument(
        "--data-dir",
        default=str(Path(tempfile.gettempdir()) / "gj-bench-first-screen"),
        help="the demo's data directory (SQLite database, keys); built when missing",
    )
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL instead of the embedded SQLite"
    )
    parser.add_argument("--login", default="nj_worker", help="the demo login to open the home as")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GONGJIANG_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT / "src")}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    gongjiang = str(ROOT / ".venv/bin/gongjiang")
    t0 = time.monotonic()
    subprocess.run([gongjiang, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    setup_seconds = time.monotonic() - t0

    # the demo wrote its keys into the data directory; production settings with DEBUG off
    env["SECRET_KEY"] = (data_dir / "secret_key").read_text().strip()
    env["FIELD_ENCRYPTION_KEY"] = (data_dir / "field_encryption_key").read_text().strip()
    env.update(
        DEBUG="0",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ACCESS_LOG="",
    )
    port, anchor_port = free_port(), free_port()
    server = subprocess.Popen(
        [gongjiang, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    anchor = http.server.ThreadingHTTPServer(("127.0.0.1", anchor_port), Anchor)
    threading.Thread(target=anchor.serve_forever, daemon=True).start()
    result: dict[str, Any] = {
        "environment": "database: {}; DEBUG=False (the server's environment); {}".format(
            "postgresql" if args.database_url else "sqlite", _env.machine()
        ),
        "data": f"the demo data set ({'PostgreSQL' if args.database_url else 'SQLite'})",
        "setup_seconds": round(setup_seconds, 1),
        "profile": "DevTools 3G: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up, no cache",
        "runs": args.runs,
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        wait_for(port)
        from playwright.sync_api import sync_playwright

        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=args.chromium, headless=True, args=["--no-sandbox"]
            )
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=3,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                service_workers="block",
            )
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("#id_username", args.login)
            page.fill("#id_password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("#login-button")
            page.goto(f"{base}/members/")  # warm the server's own caches once, unthrottled
            home: list[float] = []
            bare: list[float] = []
            for _ in range(args.runs):
                bare.append(throttled_paint(page, f"http://127.0.0.1:{anchor_port}/"))
                home.append(throttled_paint(page, f"{base}/members/"))
                if "/login/" in page.url:
                    raise SystemExit("the home redirected to the login page")
            result["page_facts"] = page.evaluate(PAGE_FACTS)
            browser.close()
        result["home_first_paint"] = summary(home)
        result["anchor_first_paint"] = summary(bare)
        result["home_minus_anchor_median_ms"] = round(
            statistics.median(home) - statistics.median(bare)
        )
        result["goal_ms"] = 1000
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        server.terminate()
        server.wait(timeout=30)
        anchor.shutdown()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
