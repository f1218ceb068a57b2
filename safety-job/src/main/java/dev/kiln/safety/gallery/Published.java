package dev.kiln.safety.gallery;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.RenderResult;

/**
 * A result on its way to the results topic and the gallery, with the thumbnail of its published
 * image when the safety job made one from the pixels it judged ({@link GalleryPage#thumbnail(
 * java.awt.image.BufferedImage)}). Without one, the gallery fetches the image and makes the
 * thumbnail itself; both give the same bytes.
 *
 * @param thumbnail null when none was made: the image is small enough to embed as it is, was not
 *     published, or the result was replayed from a sidecar
 */
public record Published(RenderResult result, Thumbnail thumbnail) {
  /** A result with no thumbnail. */
  public static Published of(RenderResult result) {
    return new Published(result, null);
  }
}
