package dev.kiln.provenance.watermark;

/**
 * A watermark found in an image.
 *
 * @param payload the decoded payload, after error correction
 * @param confidence 1 minus the chance that an unmarked image decodes to a payload at least this
 *     clean (estimated from the code's geometry: codewords within {@code correctedBits} flips of a
 *     random word, times the reads tried: every scheme that fits at scale 1 and every resize factor
 *     of the 4-pixel scheme, 12 at most); at least 0.9997 for any detection (10 corrections)
 * @param bitAccuracy the fraction of the 127 coded bits read from the pixels that agreed with the
 *     decoded codeword before correction (1.0 for an untouched image)
 * @param correctedBits coded bits the error correction flipped (at most 10)
 * @param syncScore how far the sync pattern's best match stands above all other positions, in
 *     standard deviations
 * @param scale the scale at which the mark was found: 1.0 unless the image was resized and not
 *     resized back; an image resized to half its size reports 0.5
 * @param offsetX where the mark's tiling starts in this image, modulo the tile size
 * @param offsetY where the mark's tiling starts in this image, modulo the tile size
 * @param cellSize the cell size of the scheme that found the mark, 4, 2 or 1 pixels (its tile is
 *     32 cells); only 4 is robust to resizing and JPEG, see docs/watermark.md
 */
public record Detection(
    Payload payload,
    double confidence,
    double bitAccuracy,
    int correctedBits,
    double syncScore,
    double scale,
    int offsetX,
    int offsetY,
    int cellSize) {}
