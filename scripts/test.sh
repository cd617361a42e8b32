#!/usr/bin/env bash
# The second command: installs what the tests need, builds in debug, runs every unit test (`swift test`) and
# then the end-to-end tests (pytest driving the built server with boto3 and the AWS CLI). Exits non-zero on
# any failure, including a test stage that ran no test. CI runs exactly this (.ci/run).
#
#   scripts/test.sh                    # everything
#   LV_E2E_ARGS="-k persistence" scripts/test.sh   # pass extra arguments to pytest
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$LV_ROOT"

REPORTS="$(mktemp -d /tmp/lambda-vpc-test.XXXXXX)"
trap 'rm -rf "$REPORTS"' EXIT
STAGES=()   # "name|result|seconds"
FAILED=0

stage() {   # stage NAME COMMAND...: runs one stage, records its result and duration
    local name="$1"; shift
    lv_say "$name"
    local t0=$SECONDS rc=0
    "$@" || rc=$?
    local result="ok"
    if [ "$rc" -ne 0 ]; then result="FAILED (exit $rc)"; FAILED=1; fi
    STAGES+=("$name|$result|$((SECONDS - t0))")
    return "$rc"
}

unit_tests() {
    swift test --skip-build --xunit-output "$REPORTS/unit.xml"
}

# Two pytest workers (LV_E2E_WORKERS), each taking whole files (a file's tests share its servers): most of a test's
# time is waiting on servers, engines and clients, so two run side by side on two cores. Every server keeps to its
# own kernel objects (the fabric's instance tag, the sandbox's ledger), so they do not see each other's.
e2e_tests() {
    local rc=0
    # shellcheck disable=SC2086
    LAMBDA_VPC_BIN="$LV_ROOT/.build/debug/lambda-vpc" \
        python3 -m pytest -q -n "${LV_E2E_WORKERS:-2}" --dist loadfile tests/e2e --junitxml="$REPORTS/e2e.xml" \
        ${LV_E2E_ARGS:-} || rc=$?
    if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi
    return "$rc"
}

# Counts tests in the JUnit/xUnit reports the two runners wrote; a stage that ran none is a failure.
count_tests() {
    python3 - "$REPORTS" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
def counts(pattern):
    passed = failed = skipped = 0
    for path in glob.glob(pattern):
        for case in ET.parse(path).getroot().iter("testcase"):
            kinds = {child.tag for child in case}
            if kinds & {"failure", "error"}: failed += 1
            elif "skipped" in kinds: skipped += 1
            else: passed += 1
    return passed, failed, skipped
unit = counts(sys.argv[1] + "/unit*.xml")
e2e = counts(sys.argv[1] + "/e2e*.xml")
print(*unit, *e2e)
PY
}

overall_start=$SECONDS
test_dependencies() { lv_ensure_dependencies && lv_ensure_cloudformation_tools; }
stage "dependencies" test_dependencies || { echo "cannot install the dependencies" >&2; exit 1; }
if stage "build (debug, with tests)" swift build --build-tests; then
    stage "unit tests (swift test)" unit_tests
    stage "end-to-end tests (pytest tests/e2e)" e2e_tests
    stage "fuzz (libFuzzer, 20 s per parser)" bash fuzz/ci.sh
fi

read -r up uf us ep ef es < <(count_tests) || true
up=${up:-0}; uf=${uf:-0}; us=${us:-0}; ep=${ep:-0}; ef=${ef:-0}; es=${es:-0}
if [ $((up + uf)) -eq 0 ]; then echo "no unit test ran" >&2; FAILED=1; fi
if [ $((ep + ef)) -eq 0 ]; then echo "no end-to-end test ran" >&2; FAILED=1; fi

echo
echo "================ lambda-vpc test summary ================"
for s in "${STAGES[@]}"; do
    IFS='|' read -r name result secs <<<"$s"
    printf '  %-40s %-18s %5ss\n' "$name" "$result" "$secs"
done
printf '  unit tests: %s passed, %s failed, %s skipped\n' "$up" "$uf" "$us"
printf '  e2e tests:  %s passed, %s failed, %s skipped\n' "$ep" "$ef" "$es"
printf '  total time: %ss\n' "$((SECONDS - overall_start))"
if [ "$FAILED" -ne 0 ]; then echo "  RESULT: FAILED"; else echo "  RESULT: all passed"; fi
echo "total: $((up + ep)) passed, $((uf + ef)) failed"
exit "$FAILED"
