#!/usr/bin/python3
"""Writes the harmless parity images: synthetic patterns plus the PDQ bridge photos.

Every image is an 8-bit RGB PNG without gamma or colour-profile chunks, so that pngjs (for
nsfwjs) and javax.imageio (for Kiln) decode the same pixel values. The bridge JPEGs are decoded
once here and stored as PNG, because JPEG decoders differ.

Usage: /usr/bin/python3 make_images.py <pdq-reference-dir> <out-dir>
  e.g. /usr/bin/python3 make_images.py /work/shared/reference/pdq \\
         ../../../safety-job/src/test/resources/classifier/images
"""

import glob
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

SKIN_LIGHT = (241, 194, 125)
SKIN_TAN = (198, 134, 66)
SKIN_MEDIUM = (224, 172, 105)
SKIN_DARK = (141, 85, 36)
BRIDGE_LONG_SIDE = 320


def gradient(w, h):
  x = np.linspace(0, 255, w)[None, :].repeat(h, 0)
  y = np.linspace(0, 255, h)[:, None].repeat(w, 1)
  return np.stack([x, y, 255 - (x + y) / 2], axis=-1)


def radial(w, h):
  yy, xx = np.mgrid[0:h, 0:w]
  r = np.hypot(xx - w / 2, yy - h / 2) / np.hypot(w / 2, h / 2)
  return np.stack([255 * (1 - r), 128 + 127 * np.sin(8 * r), 255 * r], axis=-1)


def checkerboard(w, h, cell, a=(0, 0, 0), b=(255, 255, 255)):
  yy, xx = np.mgrid[0:h, 0:w]
  mask = ((xx // cell + yy // cell) % 2).astype(bool)[..., None]
  return np.where(mask, np.array(b), np.array(a))


def stripes(w, h, period, angle_deg):
  yy, xx = np.mgrid[0:h, 0:w]
  t = np.deg2rad(angle_deg)
  phase = (xx * np.cos(t) + yy * np.sin(t)) / period
  v = 127.5 + 127.5 * np.sin(2 * np.pi * phase)
  return np.stack([v, 255 - v, np.full_like(v, 90)], axis=-1)


def noise(w, h, seed):
  return np.random.default_rng(seed).integers(0, 256, size=(h, w, 3))


def flat(w, h, rgb):
  return np.broadcast_to(np.array(rgb), (h, w, 3))


def shapes(w, h):
  im = Image.new("RGB", (w, h), (30, 60, 120))
  d = ImageDraw.Draw(im)
  d.rectangle([w * 0.1, h * 0.1, w * 0.45, h * 0.5], fill=(220, 40, 40))
  d.ellipse([w * 0.5, h * 0.2, w * 0.9, h * 0.8], fill=(250, 220, 30))
  d.polygon([(w * 0.2, h * 0.9), (w * 0.4, h * 0.55), (w * 0.6, h * 0.95)], fill=(40, 200, 90))
  d.line([(0, h - 1), (w - 1, 0)], fill=(255, 255, 255), width=3)
  return im


def skin_ellipse(w, h, skin, background):
  im = Image.new("RGB", (w, h), background)
  ImageDraw.Draw(im).ellipse([w * 0.15, h * 0.1, w * 0.85, h * 0.9], fill=skin)
  return im


def to_image(a):
  return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), "RGB")


def synthetic():
  return {
      "gradient_224.png": to_image(gradient(224, 224)),
      "gradient_300x200.png": to_image(gradient(300, 200)),
      "radial_224.png": to_image(radial(224, 224)),
      "radial_100x300.png": to_image(radial(100, 300)),
      "checkerboard_224.png": to_image(checkerboard(224, 224, 8)),
      "checkerboard_64x64.png": to_image(checkerboard(64, 64, 4, (200, 30, 30), (30, 30, 200))),
      "stripes_224.png": to_image(stripes(224, 224, 19, 30)),
      "stripes_640x120.png": to_image(stripes(640, 120, 41, 75)),
      "noise_224.png": to_image(noise(224, 224, 1)),
      "noise_97x131.png": to_image(noise(97, 131, 2)),
      "shapes_224.png": shapes(224, 224),
      "shapes_512x384.png": shapes(512, 384),
      "tiny_16x16.png": to_image(checkerboard(16, 16, 3, (10, 140, 10), (240, 240, 200))),
      "flat_black_224.png": to_image(flat(224, 224, (0, 0, 0))),
      "flat_white_50x80.png": to_image(flat(50, 80, (255, 255, 255))),
      "skin_light_224.png": to_image(flat(224, 224, SKIN_LIGHT)),
      "skin_tan_224.png": to_image(flat(224, 224, SKIN_TAN)),
      "skin_medium_100x300.png": to_image(flat(100, 300, SKIN_MEDIUM)),
      "skin_dark_128x128.png": to_image(flat(128, 128, SKIN_DARK)),
      "skin_ellipse_224.png": skin_ellipse(224, 224, SKIN_LIGHT, (70, 110, 200)),
      "skin_ellipse_300x400.png": skin_ellipse(300, 400, SKIN_DARK, (240, 240, 240)),
  }


def bridges(pdq_dir):
  images = {}
  for path in sorted(glob.glob(os.path.join(pdq_dir, "bridge-*.jpg"))):
    im = Image.open(path).convert("RGB")
    scale = BRIDGE_LONG_SIDE / max(im.size)
    size = (round(im.width * scale), round(im.height * scale))
    images[os.path.basename(path)[:-4] + ".png"] = im.resize(size, Image.LANCZOS)
  if len(images) != 8:
    raise SystemExit(f"expected 8 bridge-*.jpg in {pdq_dir}, found {len(images)}")
  return images


def main():
  if len(sys.argv) != 3:
    raise SystemExit(__doc__)
  out = sys.argv[2]
  os.makedirs(out, exist_ok=True)
  images = {**synthetic(), **bridges(sys.argv[1])}
  for name, im in images.items():
    im.save(os.path.join(out, name), format="PNG", optimize=True)
  print(f"wrote {len(images)} images to {out}")


if __name__ == "__main__":
  main()
