# Patchwright's production image: the webhook server with its embedded worker
# (`node src/main.ts`), or a worker alone (`node src/main.ts worker`, what
# `npm run worker` runs). Why it is built this way: docs/0016-container-image.md.
# How to run it (bubblewrap needs user namespaces inside the container): README
# "Deployment".
#
#   docker build -t patchwright .
#   docker run --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
#     --security-opt systempaths=unconfined -p 3000:3000 -v patchwright-data:/data patchwright
#
# Only Debian's archive and the npm registry are needed to build it.

# The base of both stages; a locally imported Debian 12 works the same.
ARG BASE_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------
# Stage 1: Node 24 and the production dependencies.
# The app runs on the Node 24 that package-lock.json pins through the `node`
# devDependency (an official Node.js build, from the npm registry). Debian's
# own Node 18 and npm only bootstrap it: a full `npm ci` fetches that binary,
# which is kept aside; a second `npm ci --omit=dev`, run by Node 24, then
# leaves the production dependencies alone in node_modules.
FROM ${BASE_IMAGE} AS deps
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund \
 && install -D -m 0755 node_modules/node/bin/node /opt/node/bin/node \
 && /opt/node/bin/node --version
# Debian's npm, run by Node 24: install scripts of the production dependencies
# run on the Node that will load them.
RUN PATH=/opt/node/bin:$PATH npm ci --omit=dev --no-audit --no-fund \
 && rm -rf /root/.npm

# ---------------------------------------------------------------------------
# Stage 2: the runtime.
FROM ${BASE_IMAGE}
# bubblewrap 0.8 (the sandbox), git (host-side clones and pushes), util-linux
# (setpriv, for a worker started as root), python3 and python3-venv (the Python
# interpreters jobs' toolchains are copied from), tini (PID 1: forwards SIGTERM
# to Node, reaps what exits).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      bubblewrap ca-certificates git python3 python3-venv tini util-linux \
 && rm -rf /var/lib/apt/lists/*

# The worker's own unprivileged user: sandboxed commands (uid 1000 inside) are
# this user on the host, never root. Its home is the data volume.
RUN groupadd --gid 10001 patchwright \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin patchwright \
 && install -d -o 10001 -g 10001 -m 0700 /data

COPY --from=deps /opt/node/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json app.yml ./
COPY bin ./bin
COPY src ./src
# `patchwright doctor` (bin/patchwright) looks for the pinned Node in
# node_modules/.bin. Probot's setup page writes the registered app's
# credentials to ./.env: the link sends them to the data volume, where the next
# start reads them (the image's files stay root's and read-only).
RUN mkdir -p node_modules/.bin \
 && ln -s /usr/local/bin/node node_modules/.bin/node \
 && ln -s /data/.env .env

# No NODE_ENV=production: Probot then refuses to serve its setup page (nothing
# else reads it; logs are JSON lines anyway).
ENV PATCHWRIGHT_DATA_DIR=/data \
    PORT=3000 \
    PATH=/app/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
VOLUME ["/data"]
USER 10001:10001
EXPOSE 3000

# Liveness only (`/readyz` says whether jobs can run). Node's fetch: no curl in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "src/main.ts"]
