# SPDX-License-Identifier: GPL-2.0-or-later
"""What the pictures' checks share: failures, samples, the exit status."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
from check_sample import materialize  # noqa: E402,F401  (NAME or NAME.xz of a sample)

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr)


def verdict():
    """The exit status: 1 when a check failed, else 0."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0
