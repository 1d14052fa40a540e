#!/bin/sh
# image_lang.sh - Java and Rust packages inside an image: Maven artifacts
# from pom.properties, MANIFEST.MF and file names, in nested jars (war
# WEB-INF/lib, Spring Boot BOOT-INF/lib) down to the depth cap; crates from
# a real executable given a cargo-auditable .dep-v0 section, a forged
# ELF32 one and a Cargo.lock. Hostile inputs (zip bomb, corrupt and
# truncated zips, a bad zlib stream, a decompression bomb, section headers
# out of the file) are warnings naming the path, and the scan goes on. The
# fixtures are built by tests/fixtures/image/lang/make_fixtures.py.
. "${top_srcdir:?}/tests/integration/plugins_lib.sh"
. "$top_srcdir/tests/integration/image_lib.sh"

need objcopy "apt-get install binutils"
PDIR=$(image_plugin_dir plugins)
"$PY3" "$top_srcdir/tests/fixtures/image/lang/make_fixtures.py" "$TMP" /bin/true ||
    { echo "FAIL: cannot build the fixtures" >&2; exit 1; }
"$PY3" "$MKIMAGE" docker-archive "$TMP/img.tar" "$TMP/l1.tar" "$TMP/l2.tar" ||
    { echo "FAIL: cannot write the image" >&2; exit 1; }
D1=sha256:$(sha256sum <"$TMP/l1.tar" | cut -c1-64)

MAVEN="com.example:shop 1.4.2 pkg:maven/com.example/shop@1.4.2 /app/shop.war
com.example:shop 1.4.2 pkg:maven/com.example/shop@1.4.2 /app/truncated.war
com.fasterxml.jackson.core:jackson-databind 2.13.0 pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.0 /app/boot.jar!/BOOT-INF/lib/shaded-deps-1.0.jar
com.google.guava 31.1.0.jre pkg:maven/com.google.guava@31.1.0.jre /app/shop.war!/WEB-INF/lib/guava-31.1-jre.jar
org.apache.commons:commons-lang3 3.12.0 pkg:maven/org.apache.commons/commons-lang3@3.12.0 /app/shop.war!/WEB-INF/lib/commons-lang3-3.12.0.jar
org.apache.commons:commons-lang3 3.12.0 pkg:maven/org.apache.commons/commons-lang3@3.12.0 /app/truncated.war!/WEB-INF/lib/commons-lang3-3.12.0.jar
org.apache.tomcat:tomcat-juli 10.1.7 pkg:maven/org.apache.tomcat/tomcat-juli@10.1.7 /app/shop.war!/WEB-INF/lib/tomcat-juli.jar
org.bomb:outer 1.0 pkg:maven/org.bomb/outer@1.0 /app/bomb.jar
org.deep:level1 1.0 pkg:maven/org.deep/level1@1.0 /app/deep.jar
org.deep:level2 2.0 pkg:maven/org.deep/level2@2.0 /app/deep.jar!/lib/level2.jar
org.deep:level3 3.0 pkg:maven/org.deep/level3@3.0 /app/deep.jar!/lib/level2.jar!/lib/level3.jar
org.deep:level4 4.0 pkg:maven/org.deep/level4@4.0 /app/deep.jar!/lib/level2.jar!/lib/level3.jar!/lib/level4.jar
org.deep:level5 5.0 pkg:maven/org.deep/level5@5.0 /app/deep.jar!/lib/level2.jar!/lib/level3.jar!/lib/level4.jar!/lib/level5.jar
org.evil\"<script>:name&\"quote\\ 1.0\"<b> pkg:maven/org.evil%22%3Cscript%3E/name%26%22quote%5C@1.0%22%3Cb%3E /app/hostile.jar
org.yaml:snakeyaml 1.30 pkg:maven/org.yaml/snakeyaml@1.30 /app/boot.jar!/BOOT-INF/lib/shaded-deps-1.0.jar
plain-lib 2.0.1 pkg:maven/plain-lib@2.0.1 /app/shop.war!/WEB-INF/lib/plain-lib-2.0.1.jar"
CRATES="aho-corasick 1.1.1 pkg:cargo/aho-corasick@1.1.1 /src/myapp/Cargo.lock
anyhow 1.0.75 pkg:cargo/anyhow@1.0.75 /usr/local/bin/rust32
libc 0.2.147 pkg:cargo/libc@0.2.147 /usr/local/bin/rustapp
regex 1.9.5 pkg:cargo/regex@1.9.5 /src/myapp/Cargo.lock
serde 1.0.188 pkg:cargo/serde@1.0.188 /usr/local/bin/rustapp"

# max_file_bytes 1 MiB: the bomb (8 MiB of zeros in one entry) passes it.
# With max_secret_bytes=0 every executable takes the streaming path.
for mode in whole streamed; do
    o="$TMP/$mode"
    extra=""
    [ "$mode" = streamed ] && extra="-o image.max_secret_bytes=0"
    # shellcheck disable=SC2086
    scan_image "$o" "$TMP/img.tar" -o image.max_file_bytes=1048576 $extra
    expect_rc "$o" 0 "$mode: scan (hostile archives are warnings, not failures)"
    q() { sqlite3 -batch -noheader "$o.db" "$1"; }
    same_lines "$mode: Maven packages (pom.properties, manifest, file name; nested; whiteout applied)" \
        "$(q "SELECT name||' '||version||' '||purl||' '||location FROM packages WHERE ecosystem='Maven' ORDER BY 1;")" \
        "$MAVEN"
    same_lines "$mode: crates (cargo-auditable ELF64 and ELF32, Cargo.lock; local and git crates left out)" \
        "$(q "SELECT name||' '||version||' '||purl||' '||location FROM packages WHERE ecosystem='crates.io' ORDER BY 1;")" \
        "$CRATES"
    same_lines "$mode: every Java and Rust package carries the layer that brought it" \
        "$(q "SELECT DISTINCT layer FROM packages WHERE ecosystem IN ('Maven','crates.io');")" "$D1"
    check "$mode: the whited-out jar is not reported" sh -c "! sqlite3 '$o.db' \"SELECT name FROM packages\" | grep -q removed"
    check "$mode: a name with a tab is refused" sh -c "! sqlite3 '$o.db' \"SELECT name FROM packages\" | grep -q 'tab.name'"
    check "$mode: warning: the depth cap names the nested path" \
        sh -c "grep 'level=error' '$o.err' | grep -q \"app/deep.jar!/lib/level2.jar!/lib/level3.jar!/lib/level4.jar!/lib/level5.jar!/lib/level6.jar' is nested more than 4\""
    check "$mode: warning: the zip bomb is named" sh -c "grep 'level=error' '$o.err' | grep -q \"app/bomb.jar!/lib/huge.jar' inflates past the limit\""
    check "$mode: warning: the corrupt jar is named" sh -c "grep 'level=error' '$o.err' | grep -q \"app/corrupt.jar' is a corrupt zip\""
    check "$mode: warning: the truncated war is named" sh -c "grep 'level=error' '$o.err' | grep -q \"app/truncated.war\""
    check "$mode: warning: a .dep-v0 that is not zlib is named" sh -c "grep 'level=error' '$o.err' | grep -q \"usr/local/bin/bad-zlib'.*not a valid zlib stream\""
    check "$mode: warning: a decompression bomb in .dep-v0 is named" sh -c "grep 'level=error' '$o.err' | grep -q \"usr/local/bin/zbomb'.*larger than 16 MiB\""
    check "$mode: warning: a Cargo.lock with escaped, missing and unterminated values is named" \
        sh -c "grep 'level=error' '$o.err' | grep -q \"src/bad/Cargo.lock': 3 \\[\\[package\\]\\] tables have no usable name or version\""
    check "$mode: warning: a Cargo.lock without packages is named" \
        sh -c "grep 'level=error' '$o.err' | grep -q \"src/empty/Cargo.lock' has no \\[\\[package\\]\\] table\""
    check "$mode: section headers out of the file are no package and no crash" \
        sh -c "! sqlite3 '$o.db' \"SELECT location FROM packages\" | grep -q -e bad-shoff -e bad-size"
done

# the default caps: the bomb's 8 MiB entry is read (it is no jar), nothing more appears
scan_image "$TMP/default" "$TMP/img.tar"
expect_rc "$TMP/default" 0 "default limits: scan"
same_lines "default limits: the same Maven packages" \
    "$(sqlite3 -batch -noheader "$TMP/default.db" "SELECT count(*) FROM packages WHERE ecosystem='Maven';")" "16"

# a Java archive over max_file_bytes is skipped with a warning
scan_image "$TMP/small" "$TMP/img.tar" -o image.max_file_bytes=4096
expect_rc "$TMP/small" 0 "max_file_bytes 4096: scan"
check "max_file_bytes 4096: the larger bomb.jar is named as not read" \
    sh -c "grep 'level=error' '$TMP/small.err' | grep -q \"app/bomb.jar' is larger than max_file_bytes\""
finish
