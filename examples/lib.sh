# Sourced by the example scripts: demo_repository NAME copies examples/NAME/project and its goal.yaml into a fresh
# git repository in a temporary directory and sets $work to it; live_run starts troupe on it in the background
# ($run is its pid) and returns once the run takes commands (troupe stop, cancel, add, tell).
examples="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
troupe="$examples/../bin/troupe"

demo_repository() {
  local name="$1" here="$examples/$1"
  work="$(mktemp -d "${TMPDIR:-/tmp}/troupe-$name.XXXXXX")"
  cp -R "$here/project/." "$work/"
  cp "$here/goal.yaml" "$work/goal.yaml"
  git -C "$work" init --quiet --initial-branch=main
  git -C "$work" add -A
  git -C "$work" -c user.name=demo -c user.email=demo@example.com commit --quiet -m "$name: start"
  echo "Demo repository: $work"
}

live_run() {
  "$troupe" run "$work/goal.yaml" --quiet > "$work/.run.out" 2>&1 &
  run=$!
  # Until then, troupe stop/cancel/add/tell say "no live run".
  for _ in $(seq 1 100); do
    if "$troupe" status -C "$work" 2>/dev/null | grep -q "^Run .* live"; then return 0; fi
    sleep 0.2
  done
}

step() { printf '\n== %s\n' "$*"; }
