package dev.kiln.safety.pdq;

/**
 * The eight rotations and reflections of an image (the dihedral group of the square), in the
 * order and with the names of the PDQ reference's "dih" mode.
 *
 * <p>{@link PdqHasher#hashDihedral} returns, for each constant, the hash the image would get if it
 * were transformed that way first, to within a few bits (the blur and the 64x64 sampling grid are
 * not exactly symmetric). The names match the reference test images {@code
 * bridge-2-rotate-90.jpg} .. {@code bridge-8-flip-minus-1.jpg}.
 */
public enum Dihedral {
  /** The image as given. */
  ORIGINAL,
  /** Rotated 90 degrees counter-clockwise (the right edge becomes the top). */
  ROTATE_90,
  /** Rotated 180 degrees. */
  ROTATE_180,
  /** Rotated 270 degrees counter-clockwise, i.e. 90 degrees clockwise. */
  ROTATE_270,
  /** Mirrored top to bottom (reflected about the horizontal axis). */
  FLIP_X,
  /** Mirrored left to right (reflected about the vertical axis). */
  FLIP_Y,
  /** Transposed: reflected about the diagonal from top left to bottom right. */
  FLIP_PLUS_1,
  /** Reflected about the diagonal from top right to bottom left. */
  FLIP_MINUS_1
}
