#!/usr/bin/env bash
# Runs a transcript recorder (a class of the test sources) for the record-*-transcripts.sh scripts: test-compile
# first, which runs the build's install of the pinned CLIs (process-test-resources) and compiles the recorder, then
# the class with the test classpath, from the project's root. MVN_OFFLINE=1 builds with mvn -o.
# Usage: src/test/scripts/run-recorder.sh CLASS [ARG...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
mvn -B -q ${MVN_OFFLINE:+-o} test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$@"
