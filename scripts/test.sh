#!/usr/bin/env bash
# Installs everything the tests need, then runs typecheck, lint and the tests.
# On Debian as root it installs the system packages itself; elsewhere it says
# what to install. Under CI=true a missing dependency is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v git >/dev/null || need+=(git)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v curl >/dev/null || need+=(curl)
# The CLI's progress display is tested through a real pseudo-terminal.
command -v tmux >/dev/null || need+=(tmux)
command -v npm >/dev/null || need+=(nodejs npm)
# A root worker starts bubblewrap as an unprivileged user through setpriv; prlimit injects EMFILE in a test.
command -v setpriv >/dev/null && command -v prlimit >/dev/null || need+=(util-linux)
# The sandbox tests check that Python (with TLS) works inside, and make sockets with it.
command -v python3 >/dev/null || need+=(python3)
# Python jobs get a virtualenv (Debian's ensurepip lives in python3-venv); with PyPI out of reach, the
# tests' local package index serves pytest repacked from the system's own (python3-pytest).
/usr/bin/python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
/usr/bin/python3 -c "import pytest" 2>/dev/null || need+=(python3-pytest)
# The Redis queue backend is tested against a real Redis that the tests start on a free port.
command -v redis-server >/dev/null || need+=(redis-server)
# The operator dashboard is tested in a real headless browser (driven by playwright-core).
[ -x /usr/bin/chromium ] || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "Missing system packages: ${need[*]}" >&2
    echo "Install them (Debian/Ubuntu: sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
fi

# bubblewrap must actually work here (user namespaces may be disabled).
if ! bwrap --ro-bind / / --unshare-all --die-with-parent true 2>/dev/null; then
  echo "bubblewrap is installed but cannot create a sandbox on this machine (are unprivileged user namespaces disabled?)." >&2
  exit 1
fi
# As root, sandboxes run as an unprivileged user: that user needs user namespaces too.
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups bwrap --ro-bind / / --unshare-all --die-with-parent true 2>/dev/null; then
  echo "bubblewrap cannot create a sandbox as an unprivileged user here (are unprivileged user namespaces disabled, or restricted by AppArmor?)." >&2
  exit 1
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
report="$(mktemp)"
unprivileged="$(mktemp -d)"
trap 'rm -f "$report" "$report.real"; rm -rf "$unprivileged"' EXIT

# The security suite also runs as an unprivileged worker (the recommended one), from a copy of
# the tree whose directories that user owns (files are hard links: read-only to it).
if [ "$(id -u)" = 0 ]; then
  echo "Security suite as an unprivileged worker (uid 65534):"
  cp -al . "$unprivileged/repo" 2>/dev/null || cp -a . "$unprivileged/repo"
  mkdir "$unprivileged/home"
  find "$unprivileged" -type d -exec chown 65534:65534 {} +
  (cd "$unprivileged/repo" && setpriv --reuid=65534 --regid=65534 --clear-groups \
    env -i PATH="$unprivileged/repo/node_modules/.bin:/usr/local/bin:/usr/bin:/bin" HOME="$unprivileged/home" TMPDIR=/tmp \
    node_modules/.bin/vitest run test/security --reporter=dot)
fi

# The real repositories' end-to-end run (installs from the npm registry, several minutes) runs on its own
# after the rest, so that its load does not stretch the other tests' timings.
real="test/e2e/real-repositories.test.ts"
npm test -- --exclude "$real" --reporter=default --reporter=json --outputFile="$report"
npm test -- "$real" --reporter=default --reporter=json --outputFile="$report.real"
# A plain closing line any CI can read.
node_modules/.bin/node -e '
  const read = (f) => JSON.parse(require("node:fs").readFileSync(f, "utf8"));
  const [a, b] = [read(process.argv[1]), read(process.argv[2])];
  console.log(`vitest: ${a.numPassedTests + b.numPassedTests} passed, ${a.numFailedTests + b.numFailedTests} failed`);
' "$report" "$report.real"
