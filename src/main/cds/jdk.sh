# Sourced by bin/troupe and src/main/cds/dump.sh, so that both name the JDK alike.
# jdk_stamp: what tells the java on PATH from another (its lib/modules, which a JDK update replaces), as one line;
# nothing when there is no java. dump.sh notes it beside the archive; bin/troupe offers the archive only while the
# java it would start still gives the same line: another JVM would ignore the archive without a word.
jdk_stamp() {
  local java_bin link
  java_bin="$(command -v java || true)"
  # Through every link to the JDK's own bin/java (readlink -f is not on every system; plain readlink is).
  while [ -n "$java_bin" ] && [ -L "$java_bin" ]; do
    link="$(readlink "$java_bin")"
    case "$link" in
      /*) java_bin="$link" ;;
      *) java_bin="${java_bin%/*}/$link" ;;
    esac
  done
  # The folder above the one java is in (bin/): the JDK's home.
  local jdk="${java_bin%/*}"
  local modules="${jdk%/*}/lib/modules"
  if [ -n "$java_bin" ] && [ -f "$modules" ]; then
    LC_ALL=C ls -lLn "$modules"
  fi
}
