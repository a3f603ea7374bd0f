#!/usr/bin/env bash
# Dumps target/troupe.jsa, the class-data archive bin/troupe maps at each start, from the list of classes troupe
# loads (src/main/cds/classes.txt): the JVM then maps them ready, instead of reading, parsing and verifying each
# from the jars (docs/performance.md). Run by `mvn package` once target/troupe.jar and target/lib/ are in place.
# A failed dump warns and leaves no archive: troupe starts without one, only more slowly.
#   src/main/cds/dump.sh TARGET_DIR
set -uo pipefail
target="${1:?usage: dump.sh TARGET_DIR}"
list="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/classes.txt"
archive="$target/troupe.jsa"
rm -f "$archive" "$archive.tmp" "$archive.jdk"
# Which java dumps it: bin/troupe offers the archive only to the same one (src/main/cds/jdk.sh).
source "$(dirname "${BASH_SOURCE[0]}")/jdk.sh"
stamp="$(jdk_stamp)"
# The archive is only valid for this jar and this JVM; the JVM checks both when it maps it, and ignores it otherwise.
# Written beside it and moved in whole, so that a troupe starting meanwhile never maps half an archive.
# A crash report, if the dump crashes, goes beside the log, not into the project.
if [ -n "$stamp" ] \
    && java -Xshare:dump -XX:ErrorFile="$target/troupe.jsa.hs_err_%p.log" -XX:SharedClassListFile="$list" \
      -XX:SharedArchiveFile="$archive.tmp" -cp "$target/troupe.jar" > "$target/troupe.jsa.log" 2>&1 \
    && [ -s "$archive.tmp" ]; then
  echo "$stamp" > "$archive.jdk"
  mv "$archive.tmp" "$archive"
else
  rm -f "$archive.tmp"
  echo "[WARNING] troupe: no class-data archive (java -Xshare:dump failed or no java found, see $target/troupe.jsa.log);" \
    "troupe starts without it, a little more slowly" >&2
fi
exit 0
