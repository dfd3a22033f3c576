# syntax=docker/dockerfile:1.7
#
# pricewatch: one Dockerfile, one target per app (the stages up to `runtime` are shared, so the
# three images share their base, user and node_modules layers). From the repository root:
#   docker build --target gateway        -t pricewatch-gateway .
#   docker build --target scraper-worker -t pricewatch-scraper-worker .
#   docker build --target rescheduler    -t pricewatch-rescheduler .
# tools/ci/image-smoke.sh reads this file (the prod-deps install flags, and each target's ENV,
# COPY of its bundle and command) and reproduces the targets without a Docker engine.
#
# Base images are pinned by tag. CI/Renovate should also pin them by digest
# (node:24.21.0-bookworm-slim@sha256:...); the digest is not written here because it
# could not be resolved on the machine that wrote this file.
# The Node version matches the node-linux-* packages package.json pins (24.21.0),
# which is the Node the tests ran on. Debian 12 (bookworm) for every image (trixie is the next step).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---------------------------------------------------------------------------------------------
# npm with allowScripts support (npm >= 11.16 reads package.json "allowScripts"; denied
# packages' install scripts are skipped, and --strict-allow-scripts fails on unreviewed ones).
FROM ${NODE_IMAGE} AS npm
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false \
    PUPPETEER_SKIP_DOWNLOAD=true
RUN npm install -g npm@11.19.1 && npm --version
WORKDIR /src

# ---------------------------------------------------------------------------------------------
# sources: every dependency (dev included) and the sources; then one build stage per app, so a
# target builds only its own bundle dist/apps/<app>/main.js (`nest build <app>`, as CI does).
FROM npm AS sources
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --strict-allow-scripts
COPY tsconfig.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps

# The gateway also serves the web app: static files built from apps/web by esbuild (dist/apps/web).
FROM sources AS build-gateway
RUN npx tsx apps/web/build.ts
RUN npx nest build gateway

FROM sources AS build-scraper-worker
RUN npx nest build scraper-worker

FROM sources AS build-rescheduler
RUN npx nest build rescheduler

# ---------------------------------------------------------------------------------------------
# prod-deps: production dependencies only. --omit=optional drops node-linux-* (the project's
# own Node 24 binary, ~120 MB): the runtime uses the base image's Node 24.
# tools/ci/image-smoke.sh runs the `npm ci` line of this stage, with its flags.
FROM npm AS prod-deps
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --omit=optional --strict-allow-scripts

# ---------------------------------------------------------------------------------------------
# runtime: what every image has.
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=dev
ARG REVISION=unknown
# CI (docker/metadata-action) adds source, revision, version and created from the commit.
LABEL org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.vendor="pricewatch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/node:24.21.0-bookworm-slim"

# npm, npx, corepack (and yarn, where the base still has it) are not used at runtime: remove
# them (less to scan, nothing that writes caches). A numeric non-root user 10001 (the chart's
# runAsUser) with a passwd entry, home /tmp (the only writable path under the chart).
RUN set -eux; \
    rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
           /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg; \
    groupadd --gid 10001 app; \
    useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin app

# HOME=/tmp: the root filesystem is read-only in the cluster; /tmp is an emptyDir.
ENV NODE_ENV=production \
    HOME=/tmp

WORKDIR /app
# Owned by root, read-only to the app user: the process cannot modify its own code.
COPY --from=prod-deps /src/package.json ./package.json
COPY --from=prod-deps /src/node_modules ./node_modules
# No HEALTHCHECK in any target: the chart's probes call /health/live and /health/ready.

# ---------------------------------------------------------------------------------------------
# rescheduler: the loop with /health on PORT 3002; `main.js --once` for the chart's CronJob.
FROM runtime AS rescheduler
LABEL org.opencontainers.image.title="pricewatch-rescheduler" \
      org.opencontainers.image.description="pricewatch rescheduler (due-index pass: loop or --once)"
ENV PORT=3002
COPY --from=build-rescheduler /src/dist/apps/rescheduler ./dist/apps/rescheduler
USER 10001:10001
EXPOSE 3002
# ENTRYPOINT is only "node" so that the chart's CronJob can run one pass with
#   command: ["node", "dist/apps/rescheduler/main.js", "--once"]
# while the default (CMD) is the loop with /health. Node is PID 1 and handles SIGTERM itself;
# it spawns no children, so no init is needed.
ENTRYPOINT ["node"]
CMD ["dist/apps/rescheduler/main.js"]

# ---------------------------------------------------------------------------------------------
# scraper-worker: the SQS consumer with headless Chromium; /health on PORT 3001.
FROM runtime AS scraper-worker
LABEL org.opencontainers.image.title="pricewatch-scraper-worker" \
      org.opencontainers.image.description="pricewatch scraper worker (SQS consumer, HTTP fetch and headless Chromium)"
# Chromium comes from Debian (bookworm-security tracks Chrome stable), not from puppeteer's download
# (PUPPETEER_SKIP_DOWNLOAD and allowScripts.puppeteer=false keep it out of node_modules): its
# headless shell only, the same engine without the browser UI, about half the CPU and memory per
# render of the full chromium's headless mode (docs/PERFORMANCE.md, "Cheaper renders").
# fonts-liberation: metric-compatible Arial/Times/Courier so pages lay out as on desktops.
# tini: PID 1 that reaps Chromium's orphaned zygote/renderer processes and forwards signals.
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends chromium-headless-shell fonts-liberation tini ca-certificates; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*; \
    /usr/lib/chromium/chromium-headless-shell --version
# Chromium writes its profile (--user-data-dir, a mkdtemp under os.tmpdir()), crash dumps and
# caches under /tmp and $HOME (= /tmp), and shared memory under /dev/shm (the chart mounts a
# memory emptyDir there). XDG_* keep fontconfig's and Chromium's caches out of the read-only root.
ENV XDG_CONFIG_HOME=/tmp/.config \
    XDG_CACHE_HOME=/tmp/.cache \
    PORT=3001 \
    PUPPETEER_EXECUTABLE_PATH=/usr/lib/chromium/chromium-headless-shell \
    PUPPETEER_SKIP_DOWNLOAD=true
COPY --from=build-scraper-worker /src/dist/apps/scraper-worker ./dist/apps/scraper-worker
USER 10001:10001
EXPOSE 3001
# tini is PID 1 (Chromium leaves zombies otherwise); it forwards SIGTERM to node only (no -g),
# so the worker decides when the browser closes while it finishes or releases in-flight checks.
# The browser flags a container needs are set by the app (apps/scraper-worker/src/fetching/):
# --disable-dev-shm-usage, --disable-gpu, a per-launch --user-data-dir under /tmp, and
# --no-sandbox only as root or with BROWSER_NO_SANDBOX=true (the chart's hardened pods).
# The chart must override `args` (not `command`) if it changes the command line, or tini is lost.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/apps/scraper-worker/main.js"]

# ---------------------------------------------------------------------------------------------
# gateway: the REST API on PORT 3000. Last, so a build without --target gives the gateway.
FROM runtime AS gateway
LABEL org.opencontainers.image.title="pricewatch-gateway" \
      org.opencontainers.image.description="pricewatch REST gateway (NestJS on Fastify)"
ENV PORT=3000
COPY --from=build-gateway /src/dist/apps/gateway ./dist/apps/gateway
COPY --from=build-gateway /src/dist/apps/web ./dist/apps/web
USER 10001:10001
EXPOSE 3000
# ENTRYPOINT is only "node" so that the chart's migration Job can run
#   command: ["node", "dist/apps/gateway/main.js", "migrate"]
# (and `docker run IMAGE dist/apps/gateway/main.js migrate` works too). Node is PID 1 and
# handles SIGTERM itself (Nest shutdown hooks); it spawns no children, so no init is needed.
ENTRYPOINT ["node"]
CMD ["dist/apps/gateway/main.js"]
