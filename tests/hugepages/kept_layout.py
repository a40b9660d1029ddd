#!/usr/bin/env python3
"""Where the kernel freed pageblocks against where the forecast's replay frees them, in one kept ask.

Usage: kept_layout.py KEEP_DIR [SCENARIO]

KEEP_DIR holds what `CT_HP_KEEP=KEEP_DIR test_hugepages_live.py ...` kept:
SCENARIO.json (the forecast, with its map of Normal's pageblocks and the
scanners' meeting point), SCENARIO.blocks-before.json and
SCENARIO.blocks-after.json (each pageblock's pages by kind, before and
after the ask). An experiment's tool (README "How close it comes to the
kernel"), not a test.

It prints, for the Normal zone:
  - the pageblocks the kernel made huge pages of (hugetlb pages filling the
    pageblock after the ask), by the forecast's class of the pageblock
    and its side of the forecast's meeting point;
  - what the pageblocks hold that the replay frees and the kernel did not;
  - the free pages of the pageblocks the free scanner may take from
    (neither free whole, nor a huge page after, nor blocked by slab or
    unmovable pages) above the meeting point, before and after: the room
    the replay spends, and what the kernel left of it.
"""
import sys
from collections import Counter

from kept import load_normal

KINDS = ["free", "hugetlb", "thp", "lru", "mlocked", "slab", "other"]


def main():
    k = load_normal(sys.argv, __doc__)
    if k.after is None:
        sys.exit(f"{k.keep}: no {k.name}.blocks-after.json")
    zone, per, cls, meet, b, a = k.zone, k.per, k.cls, k.meet, k.before, k.after
    made = [row[1] >= per for row in a]

    print(f"Normal: forecast {zone['hugepages_obtainable']} (free {zone['free_already']} + compaction "
          f"{zone['by_compaction']}), kernel {sum(made)}; meeting point at pageblock {meet} of {len(a)}")
    by = Counter((cls[i], i < meet, made[i]) for i in range(len(a)) if cls[i] in "+.c")
    for c, label in (("+", "the replay frees"), (".", "free already"), ("c", "compactable, left by the replay")):
        for below in (True, False):
            n, k = by[(c, below, False)] + by[(c, below, True)], by[(c, below, True)]
            if n:
                print(f"  '{c}' {label}, {'below' if below else 'above'} the meeting point: {n} pageblocks, "
                      f"the kernel made {k}")
    left = [i for i in range(len(a)) if cls[i] == "+" and not made[i]]
    held = [sum(a[i][k] for i in left) for k in range(len(KINDS))]
    was = [sum(b[i][k] for i in left) for k in range(len(KINDS))]
    print(f"  '+' the kernel did not free: {len(left)} pageblocks, holding before "
          f"{dict(zip(KINDS, was))}, after {dict(zip(KINDS, held))}")

    def room(rows, i):
        row = rows[i]
        return 0 if cls[i] in "SU." or row[1] >= per or row[0] >= per else row[0]
    for label, lo, hi in (("below", 0, meet), ("above", meet, len(a))):
        rb = Counter()
        ra = Counter()
        for i in range(lo, hi):
            rb[cls[i]] += room(b, i)
            ra[cls[i]] += 0 if made[i] else room(a, i)
        print(f"  room {label} the meeting point, by class: before {dict(rb)}, after {dict(ra)}")


if __name__ == "__main__":
    main()
