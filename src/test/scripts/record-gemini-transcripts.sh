#!/usr/bin/env bash
# Records the Gemini CLI transcripts the tests read (src/test/resources/gemini-transcripts): the pinned CLI
# (pom.xml's gemini-cli version, installed into target/gemini-cli as the build does) runs each case of
# dev.troupe.testing.GeminiTranscripts with GeminiKind's command line and environment against the project's
# Gemini API stand-in on 127.0.0.1, with a key only the stand-in knows. Re-record after a CLI upgrade, then review
# the diff and commit it. Takes about half a minute; needs Java 17, Maven and npm.
# Usage: src/test/scripts/record-gemini-transcripts.sh [CASE...]   (no case: all of them; "resume" needs "resume-start")
# MVN_OFFLINE=1 builds with mvn -o.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-recorder.sh" dev.troupe.testing.GeminiTranscriptRecorder \
  --gemini target/gemini-cli/node_modules/.bin/gemini --out src/test/resources/gemini-transcripts "$@"
