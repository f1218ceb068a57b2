#!/usr/bin/env bash
# The invisible watermark (docs/watermark.md) against the attacks of issue 15:
# PSNR, bit accuracy and detection rate per attack, false positives on unmarked images, CPU per 512x512.
#   bench/watermark/run.sh [--images 200] [--size 256] [--large 50] [--unmarked 1000] [--style mixed|smooth]
# --images images of --size x --size and --large images of 512x512, all procedural (docs/watermark.md).
# The bench lives with the tests (render-job/src/test), so it builds with test-compile and needs no install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$root" && mvn -B -o -q -Dstyle.color=never -pl render-job -am test-compile >&2)
exec java ${KILN_JAVA_OPTS:--Xmx2g} -Djava.awt.headless=true \
  -cp "$root/render-job/target/classes:$root/render-job/target/test-classes" \
  dev.kiln.render.watermark.WatermarkBench "$@"
