#!/usr/bin/env bash
# CPU of the invisible watermark and the C2PA signature per image, beside the model's, at 512x512.
#   bench/provenance/run.sh [--images 12] [--size 512] [--steps 20] [--runs 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.ProvenanceBench exec "$root/deploy/bin/kiln" "$@"
