#!/usr/bin/env bash
# Render-job throughput against the engine alone, same model and batch size, in one JVM.
#   bench/pipeline/run.sh [--images 1920] [--batch 8] [--runs 3] [--warmup 15000] [--engine-threads 1]
#       [--concurrent-batches N]   (default: processors / engine threads, as the render job does)
#       [--size 64] [--steps 20]       (512x512: --size 512 --steps 4 --batch 2 --images 64 --warmup 16;
#                                       at the default batch of 8 the JVM grew past 23 GB and was OOM-killed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.PipelineBench exec "$root/deploy/bin/kiln" "$@"
