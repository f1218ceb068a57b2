#!/usr/bin/env bash
# Parity of the Java engine with the torch reference on SD-shaped exports, and the engine's CPU cost.
#
#   bench/sd-parity/run.sh            # from the repo root; needs /usr/bin/python3 with torch and onnx
#
# 1. Writes the exports into $SD_SHAPED_DIR (default target/sd-shaped) unless they are complete
#    (models/sd-shaped/make_sd_shaped.py; about 3 minutes and 7 GB of disk per variant).
# 2. Per case, runs models/sd-shaped/reference.py and the engine (SdParity parity) with the same
#    prompts, seeds, steps and guidance, and prints the mean absolute error of the decoded images
#    (bench/sd-parity/compare.py). Cases: SD 1.5 fp32 and fp16 at 1 and 2 steps, Turbo at 1 step,
#    Turbo at 2 steps with Euler ancestral and with LCM, all at batch 2, at PARITY_SIZE x PARITY_SIZE
#    (default 256). CASES="name ..." runs only the named cases.
# 3. Prints the JVM's resident memory after loading SD 1.5, and CPU seconds per UNet step at
#    COST_SIZE (default 512), UNet batch 1 and 2 (SdParity cost). COST=0 skips it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
py=/usr/bin/python3
dir="${SD_SHAPED_DIR:-target/sd-shaped}"
size="${PARITY_SIZE:-256}"
work=target/sd-parity
mkdir -p "$work"
export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2
export JAVA_OPTS="${JAVA_OPTS:--Xmx4g}"

"$py" models/sd-shaped/make_sd_shaped.py --out "$dir"

run_case() { # name variant steps guidance [scheduler class replacing the model's]
  local name="$1" variant="$2" steps="$3" guidance="$4"
  local args=(--model "$dir/$variant" --steps "$steps" --guidance "$guidance" --size "$size" --seeds 1,2
              --prompts "a red circle on a blue background|a green square")
  if [ $# -ge 5 ]; then args+=(--scheduler "$5"); fi
  if [ -n "${CASES:-}" ] && [[ " $CASES " != *" $name "* ]]; then return; fi
  "$py" models/sd-shaped/reference.py "${args[@]}" --out "$work/$name.ref.f32"
  bench/engine/java.sh dev.kiln.render.engine.bench.SdParity parity "${args[@]}" --out "$work/$name.java.f32" \
    2>&1 | grep -E '^java |Exception|ERROR' || true
  "$py" bench/sd-parity/compare.py "$name ${size}px batch 2" "$work/$name.java.f32" "$work/$name.ref.f32" \
    | tee -a "$work/results.txt"
}

: > "$work/results.txt"
run_case sd15-fp32-1step sd15 1 7.5
run_case sd15-fp32-2steps sd15 2 7.5
run_case sd15-fp16-1step sd15-fp16 1 7.5
run_case sd15-fp16-2steps sd15-fp16 2 7.5
run_case turbo-1step sd-turbo 1 0
# the stochastic few-step schedulers, whose step noise continues each image's seed stream
run_case turbo-euler-ancestral-2steps sd-turbo 2 0 EulerAncestralDiscreteScheduler
run_case turbo-lcm-2steps sd-turbo 2 0 LCMScheduler
echo "== parity (goal: MAE <= 1e-3)"
cat "$work/results.txt"

if [ "${COST:-1}" != 0 ]; then
  echo "== cost: SD 1.5 fp32, ${COST_SIZE:-512}px, ONNX Runtime intra-op threads ${COST_THREADS:-2}"
  bench/engine/java.sh dev.kiln.render.engine.bench.SdParity cost --model "$dir/sd15" --size "${COST_SIZE:-512}" \
    --threads "${COST_THREADS:-2}" 2>&1 | grep -E '^java |^unet |Exception|ERROR'
fi
