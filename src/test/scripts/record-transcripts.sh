#!/usr/bin/env bash
# Records the Claude Code transcripts the tests read (src/test/resources/claude-transcripts): the pinned CLI
# (pom.xml's claude-code.version, installed into target/claude-code as the build does) runs each case of
# dev.troupe.testing.TranscriptCases against the project's Messages API stand-in on 127.0.0.1, with the pom's
# stand-in key; a case of live input (LiveInputCases) writes its prompt and later messages to the CLI's stdin as it goes.
# Re-record after a CLI upgrade (RecordedTranscriptsTest says when the stream changed), then review
# the diff and commit it. Takes about a minute; needs Java 17, Maven and npm.
# Usage: src/test/scripts/record-transcripts.sh [CASE...]   (no case: all of them, and stale ones removed)
set -euo pipefail
scripts="$(dirname "${BASH_SOURCE[0]}")"
key=$(sed -n 's:.*<ANTHROPIC_API_KEY>\(.*\)</ANTHROPIC_API_KEY>.*:\1:p' "$scripts/../../../pom.xml")
ANTHROPIC_API_KEY="$key" exec "$scripts/run-recorder.sh" dev.troupe.testing.TranscriptRecorder \
  --claude target/claude-code/node_modules/.bin/claude --out src/test/resources/claude-transcripts "$@"
