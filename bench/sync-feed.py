#!/usr/bin/env python3
"""An osquery results log for the sync benchmark: DEVICES hosts (serials read from a database,
so every one matches an asset), each with system_info, os_version and INSTALLS programs drawn
from 400 titles. Usage: bench/sync-feed.py DB OUT [DEVICES] [INSTALLS]"""
import json, random, sqlite3, sys

db, out_path = sys.argv[1], sys.argv[2]
devices = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
installs = int(sys.argv[4]) if len(sys.argv) > 4 else 40
random.seed(7)
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
serials = [r[0] for r in con.execute(
    "SELECT serial FROM assets WHERE serial IS NOT NULL AND id % 10 = 3 ORDER BY random() LIMIT ?",
    (devices,))]
pubs = ["Adobe", "Microsoft Corporation", "Google LLC", "Zoom Video Communications, Inc.",
        "Slack Technologies Inc.", "Mozilla", "Oracle Corporation", "JetBrains s.r.o.",
        "Docker Inc.", "Python Software Foundation"]
kinds = ["Pro", "Studio", "Suite", "Tools", "Agent", "Client", "Runtime", "Viewer"]
titles = [(f"{random.choice(kinds)} {i}", random.choice(pubs)) for i in range(400)]
titles[0] = ("Adobe Acrobat (64-bit)", "Adobe")
unix = 1795767600  # 2026-11-27 08:20 UTC
with open(out_path, "w") as out:
    for n, serial in enumerate(serials):
        host = f"host-{n:06d}"
        base = {"hostIdentifier": host, "calendarTime": "Fri Nov 27 08:20:00 2026 UTC",
                "unixTime": unix, "epoch": 0, "counter": 0, "numerics": False,
                "decorations": {"host_uuid": f"UUID-{n:06d}"}, "action": "snapshot"}
        rows = {
            "pack_itam_system_info": [{"hostname": host + ".corp", "uuid": f"UUID-{n:06d}",
                                       "hardware_vendor": "LENOVO", "hardware_model": "21HD",
                                       "hardware_serial": serial, "computer_name": host}],
            "pack_itam_os_version": [{"name": "Microsoft Windows 11 Enterprise",
                                      "version": "10.0.22631", "major": "10", "minor": "0",
                                      "build": "22631", "platform": "windows"}],
            "pack_itam_programs": [{"name": t, "version": f"{random.randint(1, 30)}.{random.randint(0, 9)}",
                                    "publisher": p, "install_location": "", "identifying_number": ""}
                                   for t, p in random.sample(titles, installs)],
        }
        for name, snapshot in rows.items():
            out.write(json.dumps(dict(base, name=name, snapshot=snapshot)) + "\n")
