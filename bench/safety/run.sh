#!/usr/bin/env bash
# Safety-job throughput against the NSFW classifier alone in a tight loop, in one JVM.
#   bench/safety/run.sh [--images 600] [--workers N] [--runs 3] [--classifier-threads 1]
#       [--warmup-runs N]   (default: enough runs for 15,000 images)
#       [--size 64] [--steps 20]   (e.g. --size 512 --steps 4 --images 300: 512x512 images, about 20 minutes)
# Also CPU per image of this JVM (broker and S3 server run in their own processes): the safety job against
# a tight loop of PNG decode, sha256, classifier and PDQ; goal <= 1.2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.SafetyBench exec "$root/deploy/bin/kiln" "$@"
