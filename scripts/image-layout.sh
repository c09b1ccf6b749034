#!/usr/bin/env bash
# The /app tree of one service's image, built from this workspace (installed: `pnpm install`):
#
#   scripts/image-layout.sh <service> <out-dir>
#
# writes <out-dir>/services/<service>/ with
#   package.json   the service's (names the traces' service.name and version)
#   node_modules/  its production dependencies, hoisted: the bundle imports the workspace packages'
#                  dependencies too (the kit's kysely, mysql2, OpenTelemetry), so every one of them must be
#                  resolvable from dist/, not only the service's direct dependencies
#   dist/          the compiled build (scripts/lib/build-service.ts): main.mjs, tracing.mjs, nats-provision.mjs,
#                  migrate.mjs and dead-letters.mjs where the service has them, their chunks/; docs also gets
#                  openapi.json
# and no TypeScript: the workspace packages are bundled, so their sources (node_modules/@bonding) go too.
# The Dockerfile runs this in its build stage; scripts/test/image-layout.test.ts runs the result.
#
# IMAGE_LAYOUT_PNPM_FLAGS: extra flags for `pnpm deploy` (the Dockerfile's `--offline --store-dir ...`).
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: scripts/image-layout.sh <service> <out-dir>" >&2
  exit 2
fi
service=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -f "$root/services/$service/src/main.ts" ]; then
  echo "image-layout: no service '$service' (services/$service/src/main.ts)" >&2
  exit 2
fi
mkdir -p "$2"
out=$(cd "$2" && pwd)
target="$out/services/$service"
cd "$root"

rm -rf "$target"
# Word splitting of the flags is intended: they are separate arguments.
# shellcheck disable=SC2086
pnpm --filter "@bonding/$service" deploy --prod --config.node-linker=hoisted ${IMAGE_LAYOUT_PNPM_FLAGS:-} "$target"

# Only package.json and node_modules stay from the deployed folder (not src/, test/, pnpm's lockfile).
find "$target" -mindepth 1 -maxdepth 1 ! -name package.json ! -name node_modules -exec rm -rf {} +
rm -rf "$target/node_modules/@bonding"

node --import tsx scripts/build-service.ts "$service" "$target/dist"
# The docs portal serves the merged OpenAPI document built here (it then needs no other service at run time).
if [ "$service" = docs ]; then
  pnpm --filter @bonding/docs run build "$target/dist/openapi.json"
fi
