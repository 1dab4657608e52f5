#!/usr/bin/env bash
# Runs DefenderSnow locally against Azurite and the simulators: no Azure subscription or ServiceNow
# instance needed. Needs Azure Functions Core Tools (`func`), which `npm ci` installs where its
# download is allowed, or a global install. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

npm ci --no-audit --no-fund --loglevel=error
func=node_modules/.bin/func
command -v "$func" >/dev/null 2>&1 || func=$(command -v func || true)
if [ -z "$func" ]; then
  echo "Azure Functions Core Tools v4 (func) is not installed; see https://learn.microsoft.com/azure/azure-functions/functions-run-local" >&2
  exit 1
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

node_modules/.bin/azurite --inMemoryPersistence --silent --skipApiVersionCheck --disableTelemetry &
pids+=($!)
dotnet run --project tools/DefenderSnow.Simulators &
pids+=($!)

cd DefenderSnow.Functions
[ -f local.settings.json ] || cp ../local.settings.sample.json local.settings.json
"$func" start
