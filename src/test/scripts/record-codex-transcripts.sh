#!/usr/bin/env bash
# Records the Codex CLI transcripts the tests read (src/test/resources/codex-transcripts): the pinned CLI
# (pom.xml's codex version, installed into target/codex as the build does) runs each case of
# dev.troupe.testing.CodexTranscriptRecorder with troupe's command line (CodexKind) against the project's Responses API
# stand-in on 127.0.0.1. Re-record after a CLI upgrade, then review the diff and commit it. Takes about half a
# minute; needs Java 17, Maven and npm.
# Usage: src/test/scripts/record-codex-transcripts.sh [CASE...]   (no case: all of them)
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-recorder.sh" dev.troupe.testing.CodexTranscriptRecorder \
  --codex target/codex/node_modules/.bin/codex --out src/test/resources/codex-transcripts "$@"
