"""What `CT_HP_KEEP=KEEP_DIR test_hugepages_live.py` kept of one scenario, for the experiment tools
(kernel_passes.py, kept_layout.py): the forecast's JSON and each pageblock's pages by kind."""
import json
import os
import sys
from types import SimpleNamespace


def load_normal(argv, doc):
    """KEEP_DIR [SCENARIO] from @argv: the Normal zone as the forecast and the kept layouts see it:
    .keep, .name, .fc (the forecast), .zone (its Normal zone), .per (pages per pageblock),
    .first (the first pageblock's pfn), .cls (the forecast's map, a class per pageblock),
    .meet (the pageblock where the replay's scanners met), .before (pages by kind per pageblock),
    .after (the same after the ask, or None when it was not kept)."""
    if len(argv) < 2:
        sys.exit(doc)
    keep, name = argv[1], argv[2] if len(argv) > 2 else "mlocked"
    load = lambda f: json.load(open(os.path.join(keep, f)))
    fc = load(f"{name}.json")
    zone = next(z for z in fc["zones"] if z["zone"] == "Normal")
    key = f"{zone['node']}/Normal"
    before = load(f"{name}.blocks-before.json")[key]
    after_file = os.path.join(keep, f"{name}.blocks-after.json")
    per = 1 << fc["pageblock_order"]
    first = before["start_pfn"]
    return SimpleNamespace(keep=keep, name=name, fc=fc, zone=zone, per=per, first=first, cls=zone["map"],
                           meet=(zone["scanners_meet_pfn"] - first) // per, before=before["blocks"],
                           after=load(after_file)[key]["blocks"] if os.path.exists(after_file) else None)
