# One image per service, from this one file:
#   docker build --build-arg SERVICE=identity -t ghcr.io/bonding-platform/identity:dev .
# SERVICE: identity | students | catalog | ledger | loans | notifications | docs (the gateway is never deployed).
# npm test builds all seven and runs the platform from them (tests/platform/container-images.test.ts).
#
# Layout of the image (scripts/image-layout.sh, which tests/platform/image-layout.test.ts runs too):
# /app/services/<service> is the working directory, with the service's package.json, its production
# dependencies (`pnpm deploy --prod`, hoisted) and its compiled build in dist/ (esbuild bundles of main,
# migrate, dead-letters and the tracing loader; see scripts/lib/build-service.ts). No TypeScript and no tsx
# at run time: the chart's migrations run `node dist/migrate.mjs`. Root filesystem read-only at run time;
# /tmp is the one writable path.

# Node 24 LTS on Debian slim, pinned to a patch release. The digest (`@sha256:...` of the multi-arch
# index) is added by Renovate (renovate.json, pinDigests), which can reach the registry; the machines this
# repository is developed on cannot, and a digest copied from elsewhere could not be verified here.
ARG NODE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG PNPM_VERSION=12.21.0
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN npm install --global --no-fund --no-audit "pnpm@${PNPM_VERSION}"
WORKDIR /src
# Dependencies first (only the lockfile and workspace file): this layer survives source edits.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN --mount=type=cache,id=bonding-pnpm-store,target=/pnpm/store \
    pnpm fetch --store-dir /pnpm/store
COPY . .
# The whole workspace, exactly as locked; build scripts run only for the packages pnpm-workspace.yaml allows.
RUN --mount=type=cache,id=bonding-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --offline --store-dir /pnpm/store
# Everything above is the same for every service (one cached layer set for all seven builds); from here on
# the steps depend on SERVICE.
ARG SERVICE
RUN case "${SERVICE}" in \
      identity|students|catalog|ledger|loans|notifications|docs) ;; \
      *) echo "SERVICE must be one of identity students catalog ledger loans notifications docs (got '${SERVICE}')" >&2; exit 1 ;; \
    esac
# The service's /app tree: its compiled build and production dependencies only (the docs portal's merged
# OpenAPI document too, so it needs no other service at run time), from the same store (the registry only
# for metadata the hoisted layout needs and the store lacks).
RUN --mount=type=cache,id=bonding-pnpm-store,target=/pnpm/store \
    IMAGE_LAYOUT_PNPM_FLAGS="--prefer-offline --store-dir /pnpm/store" scripts/image-layout.sh "${SERVICE}" /out

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/bonding-platform/bonding-platform
LABEL org.opencontainers.image.title="bonding-${SERVICE}" \
      org.opencontainers.image.description="Bonding Platform: the ${SERVICE} service" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="Bonding Platform"
# The package managers are build tools: the runtime image carries node and the service only.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn-* \
           /usr/local/bin/yarn /usr/local/bin/yarnpkg \
    && groupadd --gid 10001 bonding \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin bonding
# Owned by root and not writable by the service's user: the code cannot be changed at run time.
COPY --from=build --chown=root:root /out /app
WORKDIR /app/services/${SERVICE}
# SERVICE_VERSION becomes the traces' service.version (packages/kit/src/tracing/resource.ts).
ENV NODE_ENV=production \
    SERVICE_VERSION=${VERSION} \
    HOME=/tmp \
    TMPDIR=/tmp \
    OPENAPI_FILE=/app/services/${SERVICE}/dist/openapi.json
USER 10001:10001
# The compiled `npm start`: OpenTelemetry's loader (a no-op without OTEL_EXPORTER_OTLP_ENDPOINT), then the
# app. `--import ./…` resolves from the working directory.
CMD ["node", "--import", "./dist/tracing.mjs", "dist/main.mjs"]
