#!/usr/bin/env bash
# Runs a main class of render-job (main or test classes) in its own JVM, from the repo root:
#
#   bench/engine/java.sh dev.kiln.render.cli.RenderCommand --prompt "a large red circle on a blue background" \
#       --seed 7 --steps 20 --guidance 3 --width 64 --height 64 --out red.png
#   bench/engine/java.sh dev.kiln.render.engine.adherence.AdherenceCheck --steps 20 --guidance 3
#
# Compiles render-job offline (other kiln modules must already be installed in ~/.m2) and writes
# its test class path to render-job/target/engine.classpath.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 <main class> [args...]" >&2
  exit 2
fi
main="$1"
shift
repo="$(cd "$(dirname "$0")/../.." && pwd)"
target="$repo/render-job/target"
(cd "$repo" && mvn -B -o -q -pl render-job test-compile dependency:build-classpath \
  -Dmdep.outputFile="$target/engine.classpath" -Dmdep.includeScope=test)
mkdir -p "$target/tmp/djl"
exec java ${JAVA_OPTS:--Xmx2g} \
  -Djava.io.tmpdir="$target/tmp" -DDJL_CACHE_DIR="$target/tmp/djl" \
  -Dai.djl.offline=true -Dai.djl.onnx.disable_alternative=true \
  -Dlog4j2.configurationFile=log4j2-test.xml \
  -Dkiln.repo.dir="$repo" -Dkiln.models.dir="${KILN_MODELS_DIR:-$repo/models}" \
  -cp "$target/test-classes:$target/classes:$(cat "$target/engine.classpath")" \
  "$main" "$@"
