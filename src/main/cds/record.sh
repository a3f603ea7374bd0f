#!/usr/bin/env bash
# Records src/main/cds/classes.txt: the classes troupe loads, for the class-data archive that `mvn package` dumps
# (src/main/cds/dump.sh) and bin/troupe maps, so that each JVM starts without loading and verifying them from the
# jars. Run it after a change that loads many new classes (a dependency moved, a new command): the archive still
# works with a stale list, it just holds less. Needs a build (mvn -q -DskipTests package).
#   src/main/cds/record.sh
# It runs the hello demo team (the built-in demo agent, no API key) and then status, results, report and validate
# of that run, each JVM writing the classes it loaded; their union, sorted, is the list.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
source "$home/examples/lib.sh"
lists="$(mktemp -d "${TMPDIR:-/tmp}/troupe-cds.XXXXXX")"
trap 'rm -rf "$lists" "${work:-}"' EXIT
opts="-XX:+UseSerialGC -Xms64m -Xmx512m"
record() {
  local name="$1"; shift
  TROUPE_JAVA_OPTS="$opts -XX:DumpLoadedClassList=$lists/$name.txt" "$troupe" "$@" > /dev/null
}
demo_repository hello > /dev/null
record validate validate "$work/goal.yaml"
record run run "$work/goal.yaml" --quiet
record status status -C "$work"
record results results -C "$work"
record report report -C "$work"
{
  echo "# The classes troupe loads (src/main/cds/record.sh wrote this list; mvn package dumps them into"
  echo "# target/troupe.jsa). Lambda proxies are left out: dumping them crashes OpenJDK 17's -Xshare:dump."
  # Classes made at run time (proxies, reflection's accessors) cannot be preloaded: left out.
  cat "$lists"/*.txt | grep -v -e '^#' -e '^@' | cut -d' ' -f1 \
    | grep -v -e '\$Proxy' -e '/Generated[A-Za-z]*Accessor[0-9]' | sort -u
} > "$home/src/main/cds/classes.txt"
echo "src/main/cds/classes.txt: $(grep -vc '^#' "$home/src/main/cds/classes.txt") classes"
