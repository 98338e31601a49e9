#!/usr/bin/env bash
# Release the example runbook end to end against a local sandbox.
#
#   examples/demo.sh                     test, package, push, staging, production
#   examples/demo.sh --fail-production   release once, then release a new version
#                                        whose production smoke run fails: production
#                                        is rolled back to the version it had
#   examples/demo.sh --skip-tests        leave out the local test stage
#
# Needs `ntro-ship` on PATH (`make demo` puts .venv/bin first).
set -euo pipefail

fail_production=false
test_flag=()
for arg in "$@"; do
    case "$arg" in
        --fail-production) fail_production=true ;;
        --skip-tests) test_flag=(--skip-tests) ;;
        -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "demo.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ntro-ship-demo.XXXXXX")"
sandbox_pid=""
cleanup() {
    if [[ -n "$sandbox_pid" ]]; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

banner() { printf '\n== %s\n' "$*"; }

# Platform delays long enough to watch, short enough to wait for.
cat >"$work/sandbox.toml" <<'TOML'
deploy_delay = 1.0
run_delay = 1.5
TOML

faults=()
if $fail_production; then
    # Version 2 is the one this demo makes fail in production.
    cat >"$work/fault.json" <<'JSON'
{"kind": "run_fail", "tenant": "production", "version": "2", "times": null,
 "failure": {"type": "ReconciliationError",
             "message": "NAV differs from the administrator by 0.4%"}}
JSON
    faults=(--fault "@$work/fault.json")
fi

banner "starting the sandbox platform"
ntro-ship sandbox serve --port 0 --data "$work/sandbox" --config "$work/sandbox.toml" \
    --ready-file "$work/ready" "${faults[@]}" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 300); do
    [[ -s "$work/ready" ]] && break
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
        cat "$work/sandbox.log" >&2
        echo "demo.sh: the sandbox did not start (log above)" >&2
        exit 1
    fi
    sleep 0.1
done
[[ -s "$work/ready" ]] || { echo "demo.sh: sandbox not ready after 30s" >&2; exit 1; }

export NTRO_HOST="$(cat "$work/ready")"
export NTRO_API_KEY=ntro_dev_key
export NTRO_HOME="$work/ntro-home"
export NTRO_SHIP_RECORD="$work/release.json"
echo "sandbox at $NTRO_HOST"

cp -R "$here/runbooks" "$work/runbooks"
runbook="$work/runbooks/nav-monthly"
release=(
    ntro-ship release "$runbook"
    --workflow nav-monthly --create-workflow
    --staging staging --production production
    --entity fund-a --period 2026-11
    --child "$work/runbooks/nav-monthly-journals"
)

banner "release 1: nav-monthly as checked in"
"${release[@]}" "${test_flag[@]}"

if $fail_production; then
    # A new version: same runbook, one more line, so a different digest.
    printf '\n# demo: version 2\n' >>"$runbook/templates/workflow.py"
    banner "release 2: a new version whose production smoke run fails"
    status=0
    # The tests already passed for this code path; skip them the second time.
    "${release[@]}" --skip-tests || status=$?
    banner "where production stands"
    ntro-ship status
    if [[ $status -eq 6 ]]; then
        echo
        echo "Production's smoke run failed, so production was rolled back to"
        echo "version 1 (exit code 6, 'rolled back'). Nothing else changed."
        exit 0
    fi
    echo "demo.sh: expected the release to roll back (exit 6), got exit $status" >&2
    exit 1
fi

banner "where production stands"
ntro-ship status
echo
echo "Released: the version that passed staging is active in production."
