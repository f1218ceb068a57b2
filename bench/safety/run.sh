#!/usr/bin/env bash
# Safety-job throughput against the NSFW classifier alone in a tight loop, in one JVM.
#   bench/safety/run.sh [--images 600] [--workers N] [--runs 3] [--classifier-threads 1]
#       [--warmup-runs N]   (default: enough runs for 15,000 images)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.SafetyBench exec "$root/deploy/bin/kiln" "$@"
