#!/usr/bin/env bash
# Records the OpenCode transcripts the tests read (src/test/resources/opencode-transcripts): the pinned CLI
# (pom.xml's OpenCode version, installed into target/opencode as the build does) runs each case of
# dev.troupe.agent.OpenCodeTranscriptRecorder against the project's Chat Completions stand-in on 127.0.0.1, with
# the command line and environment OpenCodeKind gives and a private home whose opencode.json points at the stand-in.
# Re-record after a CLI upgrade, then review the diff and commit it. Takes about a minute; needs Java 17, Maven and npm.
# Usage: src/test/scripts/record-opencode-transcripts.sh [CASE...]   (no case: all of them, and stale ones removed)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-recorder.sh" dev.troupe.agent.OpenCodeTranscriptRecorder \
  --opencode target/opencode/node_modules/.bin/opencode --out src/test/resources/opencode-transcripts "$@"
