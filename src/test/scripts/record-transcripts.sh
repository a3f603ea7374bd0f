#!/usr/bin/env bash
# Records the Claude Code transcripts the tests read (src/test/resources/claude-transcripts): the pinned CLI
# (pom.xml's claude-code.version, installed into target/claude-code as the build does) runs each case of
# dev.troupe.testing.TranscriptCases against the project's Messages API stand-in on 127.0.0.1, with the pom's
# stand-in key; a case of live input (LiveInputCases) writes its prompt and later messages to the CLI's stdin as it goes.
# Re-record after a CLI upgrade (RecordedTranscriptsTest says when the stream changed), then review
# the diff and commit it. Takes about a minute; needs Java 17, Maven and npm.
# Usage: src/test/scripts/record-transcripts.sh [CASE...]   (no case: all of them, and stale ones removed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
# test-compile runs the build's install of the pinned CLI (process-test-resources) and compiles the recorder.
mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
key=$(sed -n 's:.*<ANTHROPIC_API_KEY>\(.*\)</ANTHROPIC_API_KEY>.*:\1:p' pom.xml)
ANTHROPIC_API_KEY="$key" exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.troupe.testing.TranscriptRecorder --claude target/claude-code/node_modules/.bin/claude \
  --out src/test/resources/claude-transcripts "$@"
