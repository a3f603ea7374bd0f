#!/usr/bin/env bash
# Workload 7 (bench/README.md): the same fan-out on one node and on three nodes of this machine (a lead and two
# worker nodes), to show what remote work costs a task, and the bundles it moves; with --latency MS, the three
# nodes once more over links of that round trip.
#   bench/cluster.sh                 16 tasks of 1 s, 4 slots, 2 rounds a side
#   bench/cluster.sh --quick         8 tasks, 1 round: checks the harness
#   bench/cluster.sh --latency 100   and a third side over links of 100 ms round trip
# Builds troupe first (offline when the local Maven repository has everything). Needs git.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -q -o -DskipTests package 2>/dev/null || mvn -q -DskipTests package
classes="target/bench-classes"
mkdir -p "$classes"
javac -d "$classes" -cp "target/classes:target/lib/*" bench/ClusterBench.java bench/SlowLink.java
exec java -cp "$classes:target/classes:target/lib/*" -Dbench.home="$home" ClusterBench "$@"
