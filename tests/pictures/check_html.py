#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTML report of one real sample, rendered in headless Chromium.

Drives Debian's chromium through its DevTools protocol (on 127.0.0.1) and
checks, for `compactrace report -f html` of the sample:
  - the page is one file under 5 MB with a Content-Security-Policy that
    forbids fetching, and no src/href pointing off the page;
  - every section listed in SECTIONS is there and its screenshot is not
    blank: in a PNG of the whole section some pixels are ink, and in one of
    the section's first chart some are coloured (text, axes and borders are
    grey: a chart without its marks fails), with JavaScript on and again
    with it off;
  - no JavaScript exception, no console or browser-log error (a CSP
    violation would be one), and no network request but the page itself;
  - the script works: a wheel over a time chart zooms it (its viewBox
    changes);
  - every figure the page marks with a JSON path (data-k) holds exactly the
    value `report -f json` has there (data-v), and its visible text says
    the same number (to its displayed precision); the figures the page must
    carry (REQUIRED, and per zone, order and node) are all there. Several of
    them are counted by the page's own series sink (runs per zone, all
    stalls, awake time, fallbacks, scanners met), so equality there means
    the sink saw every run, stall and fallback the engine counted.

--screenshot PNG writes the top of the page, --section-shot ID=PNG one
section (the README's pictures).
Exit 0 pass, 1 fail, 77 skip (no chromium, python3-websocket or python3-pil).
"""
import argparse
import base64
import decimal
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from common import fail, failures, materialize, verdict  # noqa: F401

SECTIONS = ["summary", "latency", "timeline", "scanners", "model", "fallbacks", "checks"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
                  "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"]
MAX_BYTES = 5 * 1024 * 1024
class Page:
    """A minimal DevTools-protocol client for one tab."""

    def __init__(self, ws_url):
        import websocket
        self.ws = websocket.create_connection(ws_url, timeout=120, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method):
        for i, e in enumerate(self.events):
            if e["method"] == method:
                del self.events[i]
                return e
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluating {expr[:60]}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def close(self):
        self.ws.close()


def start_chromium(tmp):
    profile = os.path.join(tmp, "profile")
    os.mkdir(profile)
    # its own process group, so that stop_chromium() ends its helpers too
    # TMPDIR: the browser's singleton socket directory goes under @tmp, removed with it, not /tmp
    env = dict(os.environ, TMPDIR=tmp)
    proc = subprocess.Popen(["chromium"] + CHROMIUM_FLAGS + [f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "chromium.log"), "wb"),
                            start_new_session=True, env=env)
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(600):  # a bounded wait for the browser to say its port, not a timing check
        if os.path.exists(port_file) and open(port_file).read().count("\n") >= 1:
            break
        if proc.poll() is not None:
            raise RuntimeError("chromium exited: " + open(os.path.join(tmp, "chromium.log")).read()[-2000:])
        time.sleep(0.1)
    port = int(open(port_file).read().split("\n")[0])
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
        targets = json.load(r)
    page = next(t for t in targets if t["type"] == "page")
    return proc, page["webSocketDebuggerUrl"]


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_chromium(proc):
    """End the browser and every helper of its group (renderers, the crash
    handler), and wait until they are gone: a helper still writing into the
    profile makes the temporary directory's removal fail."""
    pgid = proc.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            continue
        for _ in range(300):  # a bounded wait for the helpers, not a timing check
            if not group_alive(pgid):
                return
            time.sleep(0.1)


COLLECT = """(() => {
  const figs = [...document.querySelectorAll('[data-k]')].map(e =>
      ({k: e.dataset.k, v: e.dataset.v, text: e.textContent}));
  const secs = {};
  for (const id of %s) {
    const s = document.getElementById(id);
    if (!s) continue;
    const box = r => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
    const svg = s.querySelector('svg');
    secs[id] = {all: box(s.getBoundingClientRect()), chart: svg ? box(svg.getBoundingClientRect()) : null};
  }
  return {figs, secs};
})()""" % json.dumps(SECTIONS)


def coloured_fraction(png, chroma):
    """The share of pixels that are ink (not near white) or, with @chroma, coloured (not grey):
    text, axes and table borders are grey, the marks of a chart are coloured."""
    from PIL import Image, ImageChops
    im = Image.open(io.BytesIO(png)).convert("RGB")
    r, g, b = im.split()
    if chroma:  # max(r, g, b) - min(r, g, b)
        level = ImageChops.subtract(ImageChops.lighter(r, ImageChops.lighter(g, b)),
                                    ImageChops.darker(r, ImageChops.darker(g, b)))
    else:  # how far the darkest channel is from white
        level = ImageChops.invert(ImageChops.darker(r, ImageChops.darker(g, b)))
    n = sum(level.histogram()[41:])
    return n, n / max(1, im.width * im.height)


def shoot(page, box):
    r = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                  clip={"x": box["x"], "y": box["y"], "width": max(1, box["width"]),
                        "height": max(1, box["height"]), "scale": 1})
    return base64.b64decode(r["data"])


def render(page, url, script_on):
    page.call("Emulation.setScriptExecutionDisabled", value=not script_on)
    page.call("Page.navigate", url=url)
    page.wait_event("Page.loadEventFired")
    return page.js(COLLECT)


def check_sections(page, got, label, saved):
    for sec in SECTIONS:
        if sec not in got["secs"]:
            fail(f"{label}: section #{sec} missing")
            continue
        boxes = got["secs"][sec]
        _, frac = coloured_fraction(shoot(page, boxes["all"]), False)
        if frac < 0.005:
            fail(f"{label}: section #{sec} is blank ({frac:.4f} of its pixels coloured)")
        if boxes["chart"] is None:
            fail(f"{label}: section #{sec} has no chart")
            continue
        png = shoot(page, boxes["chart"])
        n, frac = coloured_fraction(png, True)
        if n < 30:  # a sparse chart (3 runs in 3 s) still shows a few marks of 2 px or more
            fail(f"{label}: the chart of #{sec} is blank ({n} coloured pixels)")
        saved[sec] = (frac, len(png))


# ---- the figures against the JSON report ------------------------------------------

def resolve(report, path):
    """A data-k path: dot-separated keys, list indices, and [field=value,...] selecting from a list."""
    cur = report
    for part in re.findall(r"[^.\[\]]+(?:\[[^\]]*\])?", path):
        m = re.fullmatch(r"([^\[]+)(?:\[([^\]]*)\])?", part)
        key, sel = m.group(1), m.group(2)
        if isinstance(cur, list):
            cur = cur[int(key)]
        else:
            cur = cur[key]
        if sel:
            want = dict(kv.split("=", 1) for kv in sel.split(","))
            hits = [x for x in cur if all(str(x.get(k)) == v for k, v in want.items())]
            if len(hits) != 1:
                raise KeyError(f"{sel}: {len(hits)} matches")
            cur = hits[0]
    return cur


UNITS = {"µs": 1, "ms": 1000, "s": 1e6}


def text_matches(text, v):
    """The visible text says @v (a Decimal; µs when the text has a unit) to its displayed precision."""
    m = re.fullmatch(r"\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(µs|ms|s)?\s*", text)
    if not m:
        return False
    shown = decimal.Decimal(m.group(1).replace(",", ""))
    decimals = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
    scale = decimal.Decimal(str(UNITS[m.group(2)])) if m.group(2) else 1
    half = decimal.Decimal(1).scaleb(-decimals) / 2 * scale
    return abs(shown * scale - v) <= half


def required_keys(report):
    keys = ["events", "runs.count", "stalls.count", "runs.migrated", "totals.compact_migrate_scanned",
            "totals.compact_free_scanned", "totals.compact_isolated", "totals.compact_daemon_wake",
            "extfrag.events", "extfrag.fragmenting", "extfrag.pageblocks_polluted", "runs.scanners_met",
            "quality.lost_events", "quality.unmatched_begin", "quality.unmatched_end", "quality.parse_errors"]
    if report["stalls"]["count"]:
        keys += ["stalls.latency_us.p50", "stalls.latency_us.p99", "stalls.latency_us.max"]
        for order, lat in report["stalls"]["latency_us_by_order"].items():
            keys += [f"stalls.latency_us_by_order.{order}.{k}" for k in ("count", "p50", "p99", "max")]
            keys += [f"stalls.latency_us_by_order.{order}.histogram[le_us={b['le_us']}].count"
                     for b in lat["histogram"]]
    if report["runs"]["count"]:
        keys += ["runs.duration_us.p50", "runs.duration_us.max"]
    for z in report["zones"]:
        if z["runs"]:
            keys.append(f"zones[node={z['node']},zone={z['zone']}].runs")
    for k in report["kcompactd"]:
        keys.append(f"kcompactd[node={k['node']}].awake_us")
    for p in report["extfrag"]["by_migratetype"]:
        keys.append(f"extfrag.by_migratetype[alloc={p['alloc']},fallback={p['fallback']}].count")
    if report.get("vmstat_check"):
        keys += [f"vmstat_check.{c}.trace" for c in report["vmstat_check"]]
    if report.get("model"):
        for z in report["model"]["zones"]:
            zk = f"model.zones[node={z['node']},zone={z['zone']}]"
            keys += [f"{zk}.pageblock_count", f"{zk}.pollution.pageblocks"]
            keys += [f"{zk}.free_blocks.start.{o}" for o in range(len(z["free_blocks"]["start"] or []))]
            if z["fragmentation_index"]["start"]:
                keys += [f"{zk}.fragmentation_index.start.{o}"
                         for o in range(len(z["fragmentation_index"]["start"]))]
        for i in range(len(report["model"]["polluters"])):
            keys.append(f"model.polluters.{i}.fallbacks")
    return keys


def check_figures(figs, report, required=None):
    """Every figure equals the JSON report's; the @required keys (default: required_keys()) are all there."""
    seen = set()
    for f in figs:
        seen.add(f["k"])
        try:
            want = resolve(report, f["k"])
        except (KeyError, IndexError, ValueError, TypeError) as e:
            fail(f"data-k {f['k']} is not in the JSON report ({e})")
            continue
        v = decimal.Decimal(f["v"])
        if decimal.Decimal(str(want)) != v:
            fail(f"{f['k']}: the page says {f['v']}, report -f json says {want}")
        elif not text_matches(f["text"], v):
            fail(f"{f['k']}: the text {f['text']!r} does not say {f['v']}")
    for k in required_keys(report) if required is None else required:
        if k not in seen:
            fail(f"the page has no figure for {k}")
    return len(figs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--screenshot", help="write a PNG of the top of the page here")
    ap.add_argument("--section-shot", action="append", default=[], metavar="ID=PNG",
                    help="write a PNG of section ID (e.g. scanners) here")
    a = ap.parse_args()
    if not shutil.which("chromium"):
        print("SKIP: chromium is not installed (tests/install-deps.sh installs Debian's chromium)")
        return 77
    try:
        import websocket  # noqa: F401
        import PIL  # noqa: F401
    except ImportError as e:
        print(f"SKIP: {e.name} is missing (python3-websocket, python3-pil: tests/install-deps.sh)")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        dat = materialize(a.sample, "trace.dat", tmp)
        args = [dat]
        if os.path.isdir(os.path.join(a.sample, "snapshot-start")) and dat.startswith(a.sample):
            args = ["--snapshot-start", os.path.join(a.sample, "snapshot-start"),
                    "--snapshot-end", os.path.join(a.sample, "snapshot-end"), dat]
        html = os.path.join(tmp, "report.html")
        env = dict(os.environ, LC_ALL="C")
        p = subprocess.run([a.tool, "report", "-f", "html", "-o", html] + args, capture_output=True, env=env)
        q = subprocess.run([a.tool, "report", "-f", "json"] + args, capture_output=True, env=env)
        if p.returncode or q.returncode:
            fail(f"report failed: {p.stderr.decode()} {q.stderr.decode()}")
            return 1
        report = json.loads(q.stdout)
        text = open(html, encoding="utf-8").read()
        size = os.path.getsize(html)
        if size > MAX_BYTES:
            fail(f"the page is {size} bytes, over 5 MB")
        if "Content-Security-Policy" not in text or "default-src 'none'" not in text:
            fail("no Content-Security-Policy forbidding fetches")
        off = re.findall(r"""(?:src|href)\s*=\s*["']?(?!#)[^"'\s>]+""", text)
        if off:
            fail(f"the page points elsewhere: {off[:3]}")

        proc, ws_url = start_chromium(tmp)
        try:
            page = Page(ws_url)
            for domain in ("Page", "Runtime", "Network", "Log"):
                page.call(domain + ".enable")
            page.call("Emulation.setDeviceMetricsOverride", width=1200, height=1000, deviceScaleFactor=1,
                      mobile=False)
            url = "file://" + html
            saved = {}
            got = render(page, url, True)
            check_sections(page, got, "JavaScript on", saved)
            nfig = check_figures(got["figs"], report)
            if a.screenshot:
                png = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                clip={"x": 0, "y": 0, "width": 1200, "height": 1250, "scale": 1})
                from PIL import Image
                im = Image.open(io.BytesIO(base64.b64decode(png["data"]))).convert("RGB")
                im.save(a.screenshot, optimize=True)
            for spec in a.section_shot:
                sec, out = spec.split("=", 1)
                with open(out, "wb") as f:
                    f.write(shoot(page, got["secs"][sec]["all"]))
            # the script: a wheel over the first time chart zooms it
            box = page.js("(() => {const p = document.querySelector('#timeline svg.plot');"
                          "const r = p.getBoundingClientRect(); p.scrollIntoView();"
                          "const q = p.getBoundingClientRect();"
                          "return {x: q.left + q.width / 2, y: q.top + q.height / 2, vb: p.getAttribute('viewBox')};})()")
            page.call("Input.dispatchMouseEvent", type="mouseWheel", x=box["x"], y=box["y"], deltaX=0, deltaY=-120)
            vb = page.js("document.querySelector('#timeline svg.plot').getAttribute('viewBox')")
            if vb == box["vb"]:
                fail(f"a wheel over the timeline did not zoom it (viewBox stays {vb})")
            got_off = render(page, url, False)
            check_sections(page, got_off, "JavaScript off", {})
            if len(got_off["figs"]) != len(got["figs"]):
                fail("the figures differ with JavaScript off")
            # what the browser saw
            for e in page.events:
                m, prm = e["method"], e.get("params", {})
                if m == "Runtime.exceptionThrown":
                    fail(f"JavaScript exception: {prm['exceptionDetails'].get('text')} "
                         f"{prm['exceptionDetails'].get('exception', {}).get('description', '')}")
                elif m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
                    fail(f"console error: {prm.get('args')}")
                elif m == "Log.entryAdded" and prm["entry"]["level"] == "error":
                    fail(f"browser error: {prm['entry'].get('text')}")
                elif m == "Network.requestWillBeSent" and prm["request"]["url"] != url:
                    fail(f"network request to {prm['request']['url']}")
            page.close()
        finally:
            stop_chromium(proc)
        print(f"{os.path.basename(a.sample)}: {size} bytes, {nfig} figures checked, sections " +
              ", ".join(f"{k} {v[0]:.3f}" for k, v in saved.items()))
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
