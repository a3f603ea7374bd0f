#!/usr/bin/env bash
# Makes the screenshots of docs/running.md from real runs of the demo team (built-in demo agent, no API key):
#   live-status.png  the live status of examples/hello, caught mid-run in a 110-column tmux terminal;
#   report.png       the top of report.html of a run of examples/review, as headless Chromium draws it.
# (live-page.png, the README's picture of troupe's live page, is what LivePageBrowserTest leaves in
# target/screenshots/ each time it runs: copy it from there.)
# Needs a built troupe (mvn -q -DskipTests package) and Debian's tmux, aha (ANSI to HTML) and chromium.
# Usage: docs/images/screenshots.sh
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
images="$home/docs/images"
scratch="$(mktemp -d)"
trap 'tmux kill-session -t troupe-shot 2>/dev/null || true; rm -rf "$scratch"' EXIT

shoot() { # shoot PAGE PNG WIDTH HEIGHT
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$scratch/chromium" --hide-scrollbars \
    --window-size="$3,$4" --screenshot="$2" "file://$1" 2>/dev/null
}

# The live status: a slow demo agent, so that the picture catches the team at work.
tmux new-session -d -s troupe-shot -x 110 -y 22 \
  "cd '$home' && TROUPE_DEMO_PACE_MS=1500 examples/demo.sh hello > /dev/null; sleep 60"
for _ in $(seq 1 120); do
  screen="$(tmux capture-pane -p -t troupe-shot)"
  if grep -q 'ETA' <<<"$screen" && grep -q ' [1-9] merged' <<<"$screen" && [ "$(grep -c ' working ' <<<"$screen")" -ge 2 ] && grep -q 'file: ' <<<"$screen"; then
    break
  fi
  sleep 0.25
done
tmux capture-pane -e -p -t troupe-shot | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$scratch/status.ansi"
{
  echo '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
  echo 'body{margin:0;background:#1e1e1e}pre{margin:0;padding:14px 16px;color:#d4d4d4;'
  echo 'font:14px/1.35 "DejaVu Sans Mono",monospace}</style></head><body><pre>'
  aha --no-header --black < "$scratch/status.ansi"
  echo '</pre></body></html>'
} > "$scratch/status.html"
lines="$(wc -l < "$scratch/status.ansi")"
shoot "$scratch/status.html" "$images/live-status.png" 960 $((lines * 19 + 30))

# The report of a whole run.
TROUPE_DEMO_PACE_MS=400 "$home/examples/demo.sh" review > "$scratch/review.out" 2>&1
repo="$(sed -n 's/^Demo repository: //p' "$scratch/review.out")"
"$home/bin/troupe" report -C "$repo" -o "$scratch/report.html" > /dev/null
shoot "$scratch/report.html" "$images/report.png" 1180 1060
echo "Wrote $images/live-status.png and $images/report.png"
