"""Compares the Java engine's and the torch reference's decoded images (raw little-endian float32, as
SdParity and reference.py write them) and their initial noise. Prints one line per case.

  /usr/bin/python3 bench/sd-parity/compare.py CASE JAVA.f32 REF.f32
"""
import sys

import numpy as np

case, java, ref = sys.argv[1:4]
j = np.fromfile(java, dtype="<f4")
r = np.fromfile(ref, dtype="<f4")
jn = np.fromfile(java + ".noise", dtype="<f4")
rn = np.fromfile(ref + ".noise", dtype="<f4")
if j.shape != r.shape or jn.shape != rn.shape:
    sys.exit(f"{case}: shapes differ: java {j.shape}/{jn.shape}, reference {r.shape}/{rn.shape}")
noise_diff = np.abs(jn.astype(np.float64) - rn).max()
# decoder output in [-1, 1] -> image in [0, 1], as the engine maps it to bytes
ji, ri = np.clip(j / 2 + 0.5, 0, 1), np.clip(r / 2 + 0.5, 0, 1)
mae = np.abs(ji.astype(np.float64) - ri).mean()
raw = np.abs(j.astype(np.float64) / 2 - r / 2).mean()
saturated = np.mean((ri == 0) | (ri == 1))
jb = np.rint(ji * 255).astype(np.int64)
rb = np.rint(ri * 255).astype(np.int64)
print(f"{case:34s} MAE(image in [0,1]) {mae:.2e}  MAE(unclamped) {raw:.2e}  max|diff| {np.abs(ji - ri).max():.2e}  "
      f"bytes differing {np.mean(jb != rb):.4f}  ref std {ri.std():.3f} saturated {saturated:.3f}  "
      f"noise max|diff| {noise_diff:.1e}  {'PASS' if mae <= 1e-3 else 'FAIL'} (goal <= 1e-3)")
