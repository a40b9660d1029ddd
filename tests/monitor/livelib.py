# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers shared by the monitor's live tests: checks, processes, the host's settings."""
import os
import re
import signal
import socket
import subprocess
import sys
import time

TRACING = "/sys/kernel/tracing"
SYSCTLS = ["/proc/sys/vm/compaction_proactiveness", "/proc/sys/vm/nr_hugepages",
           "/sys/kernel/mm/transparent_hugepage/enabled", "/sys/kernel/mm/transparent_hugepage/defrag"]

failures = []
procs = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, file=sys.stdout if cond else sys.stderr)
    if not cond:
        failures.append(what)
    return cond


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def read(path):
    with open(path) as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def selected(text):
    """The bracketed choice of a THP setting ("always [madvise] never"), else the text."""
    m = re.search(r"\[(\w+)\]", text)
    return m.group(1) if m else text.strip()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, tries=300, step=0.1):
    """Poll @pred (bounded: @tries times @step); its last answer."""
    for _ in range(tries):
        if pred():
            return True
        time.sleep(step)
    return False


def start(args, **kw):
    p = subprocess.Popen(args, **kw)
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=60):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def save_host():
    return {p: read(p) for p in SYSCTLS if os.path.exists(p)}


def restore_host(saved, workloads):
    """Stop what the test started, let the workloads repair their settings, put the rest back, and check."""
    for p in reversed(procs):
        stop(p)
    for prog in ("ct-direct", "ct-fragment"):
        subprocess.run([f"{workloads}/{prog}", "-R"], stderr=subprocess.DEVNULL)
    for path, text in saved.items():
        if selected(read(path)) != selected(text):
            try:
                write(path, selected(text))
            except OSError as e:
                print(f"cannot restore {path}: {e}", file=sys.stderr)
        check(selected(read(path)) == selected(text), f"{path} restored ({selected(text)})")
    left = [i for i in os.listdir(f"{TRACING}/instances") if i.startswith("compactrace-")
            and not os.path.exists(f"/proc/{i.split('-', 1)[1]}")]
    check(not left, f"no compactrace instance left behind ({left})")
