#!/usr/bin/env bash
# The invisible watermark (docs/watermark.md) against the attacks of issue 15:
# PSNR, bit accuracy and detection rate per attack, false positives on unmarked images, CPU per 512x512.
#   bench/watermark/run.sh [--images 200] [--size 256] [--large 50] [--unmarked 1000] [--style mixed|smooth|kiln-tiny]
# --images images of --size x --size and --large images of 512x512: procedural (mixed, smooth), or rendered by
# kiln-tiny at its native 64x64 and upscaled (kiln-tiny; the unmarked images are renders too).
# The bench lives with the tests (render-job/src/test), so it builds with test-compile and needs no install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cp_file="$root/render-job/target/watermark-bench.classpath"
(cd "$root" && mvn -B -o -q -Dstyle.color=never -pl render-job -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >&2)
tmp="$root/render-job/target/tmp"
mkdir -p "$tmp/djl"
exec java ${KILN_JAVA_OPTS:--Xmx3g} -Djava.awt.headless=true \
  -Djava.io.tmpdir="$tmp" -DDJL_CACHE_DIR="$tmp/djl" -Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true \
  -Dkiln.models.dir="$root/models" \
  -cp "$root/render-job/target/classes:$root/render-job/target/test-classes:$(cat "$cp_file")" \
  dev.kiln.provenance.watermark.WatermarkBench "$@"
