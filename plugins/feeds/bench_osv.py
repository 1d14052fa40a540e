#!/usr/bin/env python3
"""bench_osv.py - synthetic OSV exports in the real record shape, for the
feed benchmark (docs/feeds.md). Not used by the tests.

usage: bench_osv.py OUTDIR N_DEBIAN N_NPM
Writes OUTDIR/Debian12-all.zip, OUTDIR/npm-all.zip and OUTDIR/inventory.sql
(a scan of 3,000 packages: 2,000 Debian:12 and 1,000 npm, a tenth of them
named by some advisory).
"""
import json, os, random, sys, zipfile

out, n_deb, n_npm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
VEC = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N",
       "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"]
deb_src = ["src%04d" % i for i in range(4000)]
npm_pkgs = ["pkg-%05d" % i for i in range(20000)]
os.makedirs(out, exist_ok=True)

def deb_rec(i):
    src = rnd.choice(deb_src)
    cve = "CVE-20%02d-%05d" % (rnd.randint(10, 25), i)
    return {"schema_version": "1.6.0", "id": "DEBIAN-" + cve, "modified": "2025-01-01T00:00:00Z",
            "published": "2024-01-01T00:00:00Z", "upstream": [cve],
            "details": "Synthetic advisory for the benchmark. " * 8,
            "affected": [{"package": {"ecosystem": "Debian:12", "name": src, "purl": "pkg:deb/debian/%s?arch=source" % src},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                      {"fixed": "%d.%d-%d+deb12u%d" % (rnd.randint(1, 9), rnd.randint(0, 20), rnd.randint(1, 5), rnd.randint(1, 9))}]}],
                          "versions": []}],
            "severity": [{"type": "CVSS_V3", "score": rnd.choice(VEC)}]}

def npm_rec(i):
    p = rnd.choice(npm_pkgs)
    return {"schema_version": "1.6.0", "id": "GHSA-b%03x-%04x-%04x" % ((i >> 16) & 0xfff, i & 0xffff, (i * 13) & 0xffff),
            "modified": "2025-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
            "aliases": ["CVE-2024-%05d" % i], "summary": "Synthetic npm advisory",
            "details": "Synthetic advisory for the benchmark. " * 8,
            "affected": [{"package": {"ecosystem": "npm", "name": p},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "%d.%d.%d" % (rnd.randint(0, 9), rnd.randint(0, 20), rnd.randint(0, 9))}]}]}],
            "database_specific": {"severity": rnd.choice(["LOW", "MODERATE", "HIGH", "CRITICAL"])}}

for name, n, fn in (("Debian12-all.zip", n_deb, deb_rec), ("npm-all.zip", n_npm, npm_rec)):
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            r = fn(i)
            z.writestr(r["id"] + ".json", json.dumps(r))

with open(os.path.join(out, "inventory.sql"), "w") as f:
    f.write("BEGIN;\nINSERT INTO scans(id, started_at, finished_at, status, providers) VALUES(1, 1, 2, 'complete', '[\"image\"]');\n")
    for i in range(2000):
        s = deb_src[rnd.randrange(len(deb_src))]
        f.write("INSERT INTO packages(scan_id, resource_uid, ecosystem, name, version, source_name, source_version, plugin)"
                " VALUES(1, 'img', 'Debian:12', 'bin%d', '%d.%d-1', '%s', '%d.%d-1', 'image');\n" % (i, rnd.randint(1, 9), rnd.randint(0, 20), s, rnd.randint(1, 9), rnd.randint(0, 20)))
    for i in range(1000):
        f.write("INSERT INTO packages(scan_id, resource_uid, ecosystem, name, version, plugin)"
                " VALUES(1, 'img', 'npm', '%s', '%d.%d.%d', 'image');\n" % (rnd.choice(npm_pkgs), rnd.randint(0, 9), rnd.randint(0, 20), rnd.randint(0, 9)))
    f.write("COMMIT;\n")
