#!/usr/bin/env bash
# The project's test command (README, .ci/run): typecheck, lint and test every package with
# turbo, then print one closing line that adds up all packages' results.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
start=$(date +%s%3N)
# Build everything first: integration tests start other packages' services from their dist/.
npx turbo run build --output-logs=errors-only "$@" || { node scripts/test-summary.mjs "$start"; exit 1; }
npx turbo run typecheck lint test --continue --force "$@"
status=$?
node scripts/test-summary.mjs "$start" || status=1
exit $status
