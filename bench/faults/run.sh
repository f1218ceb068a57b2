#!/usr/bin/env bash
# The fault-injection test at a larger scale than CI runs it: more requests, more kills.
#   bench/faults/run.sh                      # 5,000 requests, 3 kills of each job's TaskManager; 1,000 per other case
#   bench/faults/run.sh --tm-kill-requests 2000 --requests 500 --tm-kills 2
# Prints, per case, the images, the job restarts the fault caused and the time it took, then the
# test's verdict: one committed result per image, objects byte-identical to a fault-free run,
# nothing under staging/, every hostile record dead-lettered once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tm_requests=5000 requests=1000 kills=3
while [ $# -gt 0 ]; do
  case "$1" in
    --tm-kill-requests) tm_requests="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --tm-kills) kills="$2"; shift 2 ;;
    *) echo "usage: $0 [--tm-kill-requests N] [--requests N] [--tm-kills N]" >&2; exit 2 ;;
  esac
done
cd "$root"
start=$(date +%s)
set +e
mvn -B -q install -DskipTests >/dev/null &&
mvn -B -pl deploy verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ExactlyOnceUnderFaultsIT \
  -Dkiln.faults.tm-kill-requests="$tm_requests" -Dkiln.faults.requests="$requests" -Dkiln.faults.tm-kills="$kills" \
  > deploy/target/faults-bench.log 2>&1
rc=$?
set -e
out="deploy/target/failsafe-reports/dev.kiln.deploy.cluster.ExactlyOnceUnderFaultsIT-output.txt"
[ -f "$out" ] && grep -E '^(fault|case)' "$out" || true
grep -E 'Tests run:|FAIL' deploy/target/faults-bench.log | head -5 || true
echo "total $(( $(date +%s) - start )) s; full log in deploy/target/faults-bench.log"
exit $rc
