#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`compactrace top` on a real terminal (tmux): the panels show the numbers
`report -f json` gives, 80x24 and 200x60 render without overlap, every key
does what it says, resizing works, colour and monochrome, and the terminal
is restored after q, a signal, or an error. Exit 0 pass, 1 fail, 77 skip."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import toplib  # noqa: E402

TOOL, SAMPLES = os.path.abspath(sys.argv[1]), sys.argv[2]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


term = toplib.LiveTop(TOOL, check)
tmux, capture, wait_for, top_pid = term.tmux, term.capture, term.wait_for, term.top_pid


def has(text):
    return lambda lines: any(text in l for l in lines)


def lacks(text):
    return lambda lines: not any(text in l for l in lines)


def start(name, cols, rows, args, env=""):
    # after top: its exit status and the terminal modes, then stay for capture
    # the shell survives ^C (a trapped signal is default again in top)
    cmd = (f"trap : INT; {env} {TOOL} top {args}; echo \"EXIT=$?\"; stty -a | tr '\\n' ' '; echo; "
           f"echo STTY-DONE; exec sleep 600")
    tmux("new-session", "-d", "-s", name, "-x", str(cols), "-y", str(rows),
         "env", "LC_ALL=C", "sh", "-c", cmd)


def fits(lines, cols, where):
    long = [l for l in lines if len(l) > cols]
    check(not long, f"{where}: {len(long)} lines longer than {cols}: {long[:1]}")
    check(len(lines) <= 60, f"{where}: {len(lines)} rows")


def terminal_restored(name, where, status="0"):
    lines = wait_for(name, has("STTY-DONE"), "exit")
    text = " ".join(lines)
    check(f"EXIT={status}" in text, f"{where}: exit status, want {status}: {text[:200]}")
    modes = text[text.find("speed"):]
    check(re.search(r"(^| )icanon( |$)", modes) and re.search(r"(^| )echo( |$)", modes),
          f"{where}: terminal left in raw mode: {modes[:300]}")
    check("ZONES" not in text and "ACTIVITY" not in text, f"{where}: the dashboard is still on screen")


def overview_checks(name, cols, rows, r, where):
    lines = term.settled(name, has("END OF INPUT"), "the end of the replay")
    fits(lines, cols, where)
    check(len(lines) <= rows, f"{where}: {len(lines)} rows > {rows}")
    for title in ("ZONES", "ACTIVITY", "KCOMPACTD", "EXTFRAG", "SLOWEST RECENT STALLS", "q quit"):
        check(any(title in l for l in lines), f"{where}: no '{title}' panel")
    s = toplib.parse_screen(lines)
    check(len(s["slowest"]) >= 1, f"{where}: no stall rows")
    toplib.compare(s, r, where, check, slowest=len(s["slowest"]))
    return lines


if not shutil.which("tmux"):
    print("SKIP: tmux is not installed (tests/install-deps.sh installs it)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as tmp:
    path = toplib.sample_file(SAMPLES, "direct", "ftrace.txt", tmp)
    if not path:
        print(f"FAIL: no samples/traces/direct trace under {SAMPLES}: a sample of the project is missing")
        sys.exit(1)
    r = toplib.report_json(TOOL, path)
    try:
        # ---- 80x24: numbers, then every key ----
        start("k", 80, 24, f"-i {path} --speed 0")
        overview_checks("k", 80, 24, r, "80x24")

        tmux("send-keys", "-t", "k", "p")
        lines = wait_for("k", lambda l: "PAUSED" in l[0], "PAUSED")
        tmux("send-keys", "-t", "k", "p")
        wait_for("k", lambda l: "PAUSED" not in l[0], "unpause")

        for key in ("h", "?"):
            tmux("send-keys", "-t", "k", key)
            wait_for("k", has("compactrace top: keys"), f"help ({key})")
            tmux("send-keys", "-t", "k", "x")	# any key closes it
            wait_for("k", lacks("compactrace top: keys"), "help closed")

        tmux("send-keys", "-t", "k", "2")
        lines = term.settled("k", has("RECENT STALLS  (the last"), "the stall view")
        check(any("STALL LATENCY since start" in l for l in lines), "stall view: no histogram title")
        lat = r["stalls"]["latency_us"]
        check(any(f"n {lat['count']:,}" in l for l in lines), "stall view: count")
        fits(lines, 80, "stall view")
        for order in ("time", "order", "latency"):
            tmux("send-keys", "-t", "k", "s")
            wait_for("k", has(f"sorted by {order}"), f"sort by {order}")
        def pos(lines):
            """(first, last, total) shown by the stall list's title, or None."""
            title = next((l for l in lines if "RECENT STALLS  (the last" in l), "")
            m = re.search(r"(\d+)-(\d+) of (\d+)$", title.rstrip())
            return tuple(int(x) for x in m.groups()) if m else None

        p0 = pos(capture("k"))
        check(p0 is not None and p0[0] == 1 and p0[2] == 128, f"stall view: scroll position {p0}")
        if p0:
            page, total = p0[1] - p0[0] + 1, p0[2]
            for key, want in (("Down", (2, page + 1)), ("NPage", (page + 1, 2 * page)),
                              ("PPage", (2, page + 1)), ("End", (total - page + 1, total)),
                              ("Up", (total - page, total - 1)), ("Home", (1, page))):
                tmux("send-keys", "-t", "k", key)
                wait_for("k", lambda l, w=want: (pos(l) or (0, 0))[:2] == w, f"{key}: rows {want}")

        tmux("send-keys", "-t", "k", "3")
        busiest = max(r["zones"], key=lambda z: z["runs"])
        lines = term.settled("k", has(f"ZONE node {busiest['node']} {busiest['zone']} "), "the busiest zone")
        check(any("pageblock map" in l for l in lines), "zone view: no pageblock note")
        check(any(re.search(rf"runs\s+{busiest['runs']:,}$", l) for l in lines), "zone view: runs")
        fits(lines, 80, "zone view")
        def shown_zone(lines):
            for l in lines:
                mz = re.search(r"ZONE node \d+ (\S+)", l)
                if mz:
                    return mz.group(1)
            return None

        seen, prev = {busiest["zone"]}, busiest["zone"]
        for _ in range(len(r["zones"]) - 1):
            tmux("send-keys", "-t", "k", "z")
            prev = shown_zone(wait_for("k", lambda l, p=prev: shown_zone(l) not in (None, p),
                                       f"z: the zone after {prev}"))
            seen.add(prev)
        check(seen == {z["zone"] for z in r["zones"]}, f"z did not visit every zone: {seen}")
        tmux("send-keys", "-t", "k", "Tab")
        wait_for("k", has("ACTIVITY"), "Tab to the overview")
        tmux("send-keys", "-t", "k", "Tab")
        wait_for("k", has("RECENT STALLS  (the last"), "Tab to the stall view")
        tmux("send-keys", "-t", "k", "1")
        wait_for("k", has("ACTIVITY"), "1: overview")

        # resize: bigger, too small, back
        tmux("resize-window", "-t", "k", "-x", "200", "-y", "60")
        lines = term.settled("k", has("STALL LATENCY HISTOGRAM"), "the 200x60 layout")
        fits(lines, 200, "resized to 200x60")
        toplib.compare(toplib.parse_screen(lines), r, "resized to 200x60", check)
        tmux("resize-window", "-t", "k", "-x", "70", "-y", "20")
        lines = wait_for("k", has("terminal is 70x20"), "the too-small message")
        fits(lines, 70, "70x20")
        check(not any("ZONES" in l for l in lines), "70x20: panels drawn anyway")
        tmux("resize-window", "-t", "k", "-x", "80", "-y", "24")
        overview_checks("k", 80, 24, r, "back to 80x24")

        # reset: totals count from now (the replay has ended: all zero)
        tmux("send-keys", "-t", "k", "r")
        lines = term.settled("k", has("since reset"), "reset")
        s = toplib.parse_screen(lines)
        check(s.get("events") == 0, f"after reset: events {s.get('events')}")
        check(all(v == 0 for v in s.get("runs", {1: 1}).values()), f"after reset: runs {s.get('runs')}")
        check(s.get("latency", {}).get("count") == 0, f"after reset: stalls {s.get('latency')}")
        check(all(z["runs"] == 0 for z in s["zones"].values()), "after reset: zone runs")
        check(any("[" in l and ">" in l for l in lines), "after reset: the gauges went away")

        tmux("send-keys", "-t", "k", "q")
        terminal_restored("k", "q")

        # ---- 200x60 from the start ----
        start("w", 200, 60, f"-i {path} --speed 0")
        lines = overview_checks("w", 200, 60, r, "200x60")
        check(any("STALL LATENCY HISTOGRAM" in l for l in lines), "200x60: the extra panels are missing")
        check(len(lines) >= 55, f"200x60: only {len(lines)} rows used")
        tmux("send-keys", "-t", "w", "q")
        terminal_restored("w", "q at 200x60")

        # ---- colour and honest monochrome ----
        start("c", 80, 24, f"-i {path} --speed 0")
        wait_for("c", has("END OF INPUT"), "colour run")
        esc = "\n".join(capture("c", escapes=True))
        check(re.search(r"\x1b\[[0-9;]*3[0-7]m", esc) or "38;5;" in esc, "no colour on a colour terminal")
        tmux("send-keys", "-t", "c", "q")
        terminal_restored("c", "q (colour)")
        start("m", 80, 24, f"-i {path} --speed 0", env="NO_COLOR=1")
        wait_for("m", has("END OF INPUT"), "monochrome run")
        esc = "\n".join(capture("m", escapes=True))
        check(not re.search(r"\x1b\[[0-9;]*[34][0-7]m", esc) and "38;5;" not in esc,
              "NO_COLOR: colours used anyway")
        check("\x1b[7m" in esc or ";7m" in esc, "NO_COLOR: no reverse video for the title bars")
        tmux("send-keys", "-t", "m", "q")
        terminal_restored("m", "q (NO_COLOR)")

        # a UTF-8 locale: the sparkline in block characters, still one cell each
        start("u", 80, 24, f"-i {path} --speed 0", env="LC_ALL=C.UTF-8")
        lines = wait_for("u", has("END OF INPUT"), "UTF-8 run")
        check(any(ch in l for l in lines for ch in "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"),
              "UTF-8: no block characters in the sparkline")
        fits(lines, 80, "UTF-8")
        tmux("send-keys", "-t", "u", "q")
        terminal_restored("u", "q (UTF-8)")

        # ---- signals and errors leave the terminal sane ----
        start("s", 80, 24, f"-i {path} --speed 0.001")
        wait_for("s", has("ZONES"), "a slow replay")
        tmux("send-keys", "-t", "s", "C-c")
        terminal_restored("s", "^C")
        start("t", 80, 24, f"-i {path} --speed 0.001")
        wait_for("t", has("ZONES"), "a slow replay")
        pid = top_pid("t")
        check(pid is not None, "SIGTERM: cannot find the top process")
        if pid:
            os.kill(pid, 15)
        terminal_restored("t", "SIGTERM")
        start("e", 80, 24, f"-i {os.path.join(tmp, 'missing.txt')}")
        lines = wait_for("e", has("EXIT="), "the error")
        check(any("missing.txt" in l and "cannot open" in l for l in lines), f"missing file: {lines[:3]}")
        terminal_restored("e", "missing file", status="1")
        start("small", 70, 20, f"-i {path}")
        lines = wait_for("small", has("EXIT="), "the size error")
        check(any("70x20" in l and "80x24" in l for l in lines), f"small terminal: {lines[:3]}")
        terminal_restored("small", "small terminal", status="1")
    finally:
        tmux("kill-server")

if failures:
    print(f"{len(failures)} failures", file=sys.stderr)
    sys.exit(1)
print("top tmux: all checks passed")
