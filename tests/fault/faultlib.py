# SPDX-License-Identifier: GPL-2.0-or-later
"""What the fault tests share: failed checks and the environment of every run."""
import os
import sys

failures = []
ENV = dict(os.environ, LC_ALL="C")


def check(cond, msg):
    """Record a failed check (printed at once); returns cond."""
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond
