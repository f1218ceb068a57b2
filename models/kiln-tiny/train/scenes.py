"""Procedural captioned scenes for kiln-tiny: one filled shape on a plain background.

Every factor the captions name is drawn here: shape, shape colour, background colour,
size and position. Some (shape, colour, background) triples never appear in training;
they are the held-out set the adherence check renders.
"""
import hashlib
import numpy as np

SHAPES = ["circle", "square", "triangle"]
COLOURS = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (245, 225, 30),
    "green": (40, 170, 50),
    "blue": (30, 70, 225),
    "purple": (140, 40, 180),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}
SIZES = {"small": (0.13, 0.17), "large": (0.26, 0.32)}  # half-extent as a fraction of the image side
POSITIONS = {
    "in the center": (0.5, 0.5),
    "on the left": (0.3, 0.5),
    "on the right": (0.7, 0.5),
    "at the top": (0.5, 0.3),
    "at the bottom": (0.5, 0.7),
}


def all_triples():
    return [(s, c, b) for s in SHAPES for c in COLOURS for b in COLOURS if b != c]


def is_held_out(shape, colour, background):
    """A stable fifth of the triples, chosen by hash so Python and Java agree without a list."""
    digest = hashlib.sha256(f"{shape}|{colour}|{background}".encode()).digest()
    return digest[0] % 5 == 0


def caption(size, colour, shape, background, position=None):
    text = f"a {size} {colour} {shape} on a {background} background"
    return text if position is None else f"{text}, {position}"


def draw(shape, colour, background, size_frac, cx, cy, side):
    """Draws one scene as uint8 HxWx3 with 4x supersampled edges."""
    ss = 4
    n = side * ss
    ys, xs = np.mgrid[0:n, 0:n].astype(np.float32)
    xs = (xs + 0.5) / n
    ys = (ys + 0.5) / n
    r = size_frac
    if shape == "circle":
        mask = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    elif shape == "square":
        mask = (np.abs(xs - cx) <= r * 0.9) & (np.abs(ys - cy) <= r * 0.9)
    elif shape == "triangle":
        # upright isosceles triangle inside the box [cx-r, cx+r] x [cy-r, cy+r]
        top, bottom = cy - r, cy + r
        t = (ys - top) / (2 * r)
        mask = (ys >= top) & (ys <= bottom) & (np.abs(xs - cx) <= t * r)
    else:
        raise ValueError(f"unknown shape {shape!r}, expected one of {SHAPES}")
    img = np.empty((n, n, 3), dtype=np.float32)
    img[:] = COLOURS[background]
    img[mask] = COLOURS[colour]
    img = img.reshape(side, ss, side, ss, 3).mean(axis=(1, 3))
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def sample(rng, side, held_out_ok=False):
    """One random training scene and its caption (position named half of the time)."""
    while True:
        shape = SHAPES[rng.integers(len(SHAPES))]
        colour, background = rng.choice(list(COLOURS), size=2, replace=False)
        if held_out_ok or not is_held_out(shape, colour, background):
            break
    size = list(SIZES)[rng.integers(len(SIZES))]
    lo, hi = SIZES[size]
    r = rng.uniform(lo, hi)
    position = list(POSITIONS)[rng.integers(len(POSITIONS))]
    px, py = POSITIONS[position]
    jitter = 0.04
    cx = float(np.clip(px + rng.uniform(-jitter, jitter), r, 1 - r))
    cy = float(np.clip(py + rng.uniform(-jitter, jitter), r, 1 - r))
    img = draw(shape, colour, background, r, cx, cy, side)
    named = position if rng.random() < 0.5 else None
    return img, caption(size, colour, shape, background, named)


def make_dataset(n, side, seed):
    rng = np.random.default_rng(seed)
    images = np.empty((n, side, side, 3), dtype=np.uint8)
    captions = []
    for i in range(n):
        images[i], text = sample(rng, side)
        captions.append(text)
    return images, captions


def held_out_prompts():
    return [caption(size, c, s, b) for (s, c, b) in all_triples() if is_held_out(s, c, b) for size in SIZES]


if __name__ == "__main__":
    held = held_out_prompts()
    print(f"{len(all_triples())} triples, {len(held)} held-out prompts, e.g. {held[:3]}")
