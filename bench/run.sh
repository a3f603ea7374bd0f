#!/usr/bin/env bash
# Runs troupe's benchmarks (bench/README.md) and prints the table:
#   bench/run.sh            every workload at full size, 3 rounds; writes bench/results/ and docs/performance.md
#   bench/run.sh --quick    small sizes, 1 round, to check the harness (docs/performance.md is left alone)
#   more: --rounds N, --only 1,3 (workload numbers), --keep (keep the scratch repositories)
# Builds troupe first (offline when the local Maven repository has everything). Needs git, GNU time
# (/usr/bin/time: apt-get install time) and flock; workload 5 needs the Claude Code CLI that mvn verify installs.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
for tool in git flock xargs /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (GNU time: apt-get install time)" >&2; exit 2; }
done
# package also compiles the test classes (the Messages API stand-in) unless -Dmaven.test.skip is given.
mvn -q -o -DskipTests package 2>/dev/null || mvn -q -DskipTests package
exec java -cp "target/test-classes:target/classes:target/lib/*" -Dbench.home="$home" bench/Bench.java "$@"
