# SPDX-License-Identifier: GPL-2.0-or-later
"""The host-wide lock of live work: one live experiment at a time.

Everything that touches the live kernel (trace events, tracefs instances,
compaction, sysctls) holds /tmp/compactrace-live.lock, as the recording
scripts and people at a shell do (`flock /tmp/compactrace-live.lock CMD`).
A live test takes it itself, unless a process it runs under holds it
already (a `flock ... meson test` around it): waiting for that would wait
for ever.
"""
import fcntl
import os
import signal
import sys

LOCK = "/tmp/compactrace-live.lock"
_held = []


def _ancestors():
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
    return pids


def _held_by_ancestor(fd):
    st = os.fstat(fd)
    inode = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    mine = _ancestors()
    with open("/proc/locks") as f:
        for line in f:
            # "3: FLOCK  ADVISORY  WRITE 4242 00:1f:123456 0 EOF"
            p = line.split()
            if len(p) >= 6 and p[1] == "FLOCK" and p[5] == inode and p[4].isdigit() \
                    and int(p[4]) in mine:
                return True
    return False


def _holders(fd):
    """the commands that hold the lock file open (to say who is in the way)"""
    st = os.fstat(fd)
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for f in os.listdir(f"/proc/{pid}/fd"):
                s = os.stat(f"/proc/{pid}/fd/{f}")
                if (s.st_dev, s.st_ino) == (st.st_dev, st.st_ino) and int(pid) != os.getpid():
                    with open(f"/proc/{pid}/cmdline", "rb") as c:
                        cmd = c.read().replace(b"\0", b" ").decode(errors="replace")
                    out.append(f"{pid} {cmd[:80]}")
                    break
        except OSError:
            continue
    return out


def acquire(what):
    """Hold the live lock until this process exits (at once if a caller holds it).

    Waits at most CT_LIVE_LOCK_WAIT seconds (default 240): then the test
    cannot run its checks and says SKIP (exit 77), naming who holds the lock.
    """
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    if _held_by_ancestor(fd):
        os.close(fd)
        print(f"{what}: the live lock is held by a process this test runs under", file=sys.stderr)
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        wait = int(os.environ.get("CT_LIVE_LOCK_WAIT", "240"))
        print(f"{what}: waiting up to {wait} s for {LOCK} (another live experiment runs)", file=sys.stderr)
        def give_up(*_):
            raise TimeoutError

        old = signal.signal(signal.SIGALRM, give_up)	# (Python retries a flock a signal interrupts)
        signal.alarm(wait)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except TimeoutError:
            pass
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"SKIP: {what}: {LOCK} was held for {wait} s by another live experiment "
                  f"({'; '.join(_holders(fd)) or 'unknown'}); this test must not overlap it")
            sys.exit(77)
    _held.append(fd)
