#!/usr/bin/env bash
# Latency from an HTTP submit to a committed PUBLISHED result at 1 request/s, per checkpoint interval.
#   bench/latency/run.sh [--requests 60] [--runs 3] [--warmup 5] [--intervals 1,5]   (intervals in seconds)
# The broker and the S3 server run in their own processes; both jobs and the HTTP API in the bench JVM.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.LatencyBench exec "$root/deploy/bin/kiln" "$@"
