#!/usr/bin/env bash
# Fair share in the render job: tenant A queues a backlog of bulk images, then tenant B submits one
# image every interval. Prints B's p50 and p99 wait (submit to image staged, and the queue wait inside
# the batching engine) and A's images/s. --fifo runs the order before fair share too, for comparison.
#   bench/fairness/run.sh [--backlog 2000] [--requests 20] [--interval-ms 1000] [--warmup 400] [--fifo]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.FairnessBench exec "$root/deploy/bin/kiln" "$@"
