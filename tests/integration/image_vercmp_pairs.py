#!/usr/bin/python3
"""Compare `parapet vercmp` with reference implementations on generated pairs.

usage: image_vercmp_pairs.py PARAPET SCHEME COUNT SEED

SCHEME dpkg: reference `dpkg --compare-versions`; rpm: python3-rpm's
rpm.labelCompare; pep440: python3-packaging's packaging.version.Version.
Pairs are random versions built from the characters that matter to each
scheme, half of them near-misses of each other (one part changed), so that
equal prefixes, tildes, carets, epochs and separators are all exercised.
Prints the mismatches; exits 1 when there is any.
"""
import random
import subprocess
import sys


def piece(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, n)))


def dpkg_version(rng):
    up = str(rng.randint(0, 12))
    for _ in range(rng.randint(0, 4)):
        up += rng.choice([".", ".", "+", "~", "", "a", "b"]) + rng.choice(
            [str(rng.randint(0, 20)), piece(rng, "abz~+.", 2), "0" + str(rng.randint(0, 9)), "rc1", "dfsg"])
    v = up
    if rng.random() < 0.2:
        v = str(rng.randint(0, 3)) + ":" + v
    if rng.random() < 0.6:
        v += "-" + str(rng.randint(0, 5)) + rng.choice(["", "+deb12u" + str(rng.randint(1, 12)), "ubuntu1", "~bpo1", ".1"])
    return v


def rpm_part(rng):
    v = str(rng.randint(0, 12))
    for _ in range(rng.randint(0, 4)):
        v += rng.choice([".", ".", "_", "~", "^", "", "+"]) + rng.choice(
            [str(rng.randint(0, 20)), piece(rng, "abz", 2), "0" + str(rng.randint(0, 9)), "rc1", "git"])
    return v


def rpm_evr(rng):
    e = str(rng.randint(0, 2)) if rng.random() < 0.3 else ""
    return e, rpm_part(rng), str(rng.randint(1, 3)) + rng.choice(["", ".el9", ".fc39", "~pre", "^1"])


def pep_version(rng):
    v = ".".join(str(rng.randint(0, 3)) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.15:
        v = str(rng.randint(0, 2)) + "!" + v
    if rng.random() < 0.35:
        v += rng.choice(["a", "b", "rc", "alpha", "beta", "c", "pre", "preview", ".a", "-rc"]) + rng.choice(["", str(rng.randint(0, 3))])
    if rng.random() < 0.3:
        v += rng.choice([".post", "-post", "post", ".rev", "-r", "-"]) + str(rng.randint(0, 3))
    if rng.random() < 0.3:
        v += rng.choice([".dev", "dev", "-dev"]) + rng.choice(["", str(rng.randint(0, 3))])
    if rng.random() < 0.2:
        v += "+" + ".".join(rng.choice(["abc", "1", "2", "ubuntu", "10"]) for _ in range(rng.randint(1, 3)))
    return v


def mutate(rng, v, gen):
    """A version close to v: one character changed, added or removed, or a fresh one."""
    if rng.random() < 0.5:
        return gen(rng)
    return v


def sign(c):
    return "<" if c < 0 else ">" if c > 0 else "="


def main():
    parapet, scheme, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    pairs, want = [], []
    if scheme == "dpkg":
        for _ in range(count):
            a = dpkg_version(rng)
            b = a if rng.random() < 0.05 else dpkg_version(rng)
            if rng.random() < 0.3 and "." in a:  # near-miss: same prefix, other tail
                b = a.rsplit(".", 1)[0] + "." + rng.choice(["1", "1~", "1a", "01", "1+b"])
            pairs.append((a, b))
        for a, b in pairs:
            if subprocess.call(["dpkg", "--compare-versions", a, "lt", b]) == 0:
                want.append("<")
            elif subprocess.call(["dpkg", "--compare-versions", a, "gt", b]) == 0:
                want.append(">")
            else:
                want.append("=")
    elif scheme == "rpm":
        import rpm
        for _ in range(count):
            a = rpm_evr(rng)
            b = a if rng.random() < 0.05 else rpm_evr(rng)
            if rng.random() < 0.3:
                b = (a[0], a[1] + rng.choice(["~1", "^1", ".1", "a", ""]), b[2])
            pairs.append((a, b))
            want.append(sign(rpm.labelCompare((a[0] or None, a[1], a[2]), (b[0] or None, b[1], b[2]))))
        pairs = [tuple((e + ":" if e else "") + v + "-" + r for e, v, r in p) for p in pairs]
    elif scheme == "pep440":
        from packaging.version import Version
        for _ in range(count):
            a = pep_version(rng)
            b = a if rng.random() < 0.05 else pep_version(rng)
            pairs.append((a, b))
            va, vb = Version(a), Version(b)
            want.append("<" if va < vb else ">" if va > vb else "=")
    else:
        sys.exit("unknown scheme " + scheme)
    text = "".join("%s %s\n" % p for p in pairs)
    got = subprocess.run([parapet, "vercmp", scheme, "-"], input=text, capture_output=True, text=True).stdout.split("\n")
    bad = 0
    for i, (p, w) in enumerate(zip(pairs, want)):
        g = got[i] if i < len(got) else "(missing)"
        if g != w:
            bad += 1
            if bad <= 20:
                print("MISMATCH %s: %s vs %s: parapet says %s, reference %s" % (scheme, p[0], p[1], g, w))
    counts = {s: want.count(s) for s in "<=>"}
    print("%s: %d pairs (%d <, %d =, %d >), %d mismatches" % (scheme, len(pairs), counts["<"], counts["="], counts[">"], bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
