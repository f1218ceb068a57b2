#!/usr/bin/env bash
# Engine benchmark: Java (DJL + ONNX Runtime) images/s on kiln-tiny at batch 1, 4 and 8 (DDIM 20
# steps, guidance 3, 64x64, after warm-up), time per stage, and the Java/PyTorch ratio per batch
# size when /usr/bin/python3 has torch and models/kiln-tiny/train/kiln-tiny.pt exists.
#
#   bench/engine/run.sh
#   BENCH_IMAGES=64 BENCH_THREADS=2 bench/engine/run.sh
#
# Prints figures; asserts nothing. The CPU is shared: run it when nothing else is busy.
set -euo pipefail
export JAVA_OPTS="${JAVA_OPTS:--Xmx2g} -Dbench.images=${BENCH_IMAGES:-32} -Dbench.threads=${BENCH_THREADS:-2}"
exec "$(dirname "$0")/java.sh" dev.kiln.render.engine.bench.EngineBench "$@"
