#!/usr/bin/env bash
# Safety-job throughput against the NSFW classifier alone in a tight loop, in one JVM.
#   bench/safety/run.sh [--images 600] [--workers N] [--runs 3] [--warmup-runs N (default: 15,000 images' worth)] [--classifier-threads 1]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.SafetyBench exec "$root/deploy/bin/kiln" "$@"
