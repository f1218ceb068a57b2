package dev.kiln.safety.job;

import dev.kiln.safety.gallery.internal.Thumbnails.Thumbnail;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;

/**
 * A judged image on its way to being moved: the image reference, its verdict and the PNG bytes
 * the verdict is about (publishing writes exactly those bytes), and the gallery's thumbnail of
 * them when moderation made one from its decoded pixels. When the image
 * was already moved by an earlier attempt (a replay) or is lost, {@code settled} holds the final
 * result instead and nothing is moved. A Flink POJO.
 */
public class Inspection {
  public RenderedImage image;
  public Verdict verdict;
  public byte[] png;
  public RenderResult settled;
  public long inspectMillis;
  /** Null when none was made: the image is small, was rejected, or this is a settled result. */
  public Thumbnail thumbnail;

  public Inspection() {}

  public static Inspection judged(RenderedImage image, Verdict verdict, byte[] png, long inspectMillis) {
    return judged(image, verdict, png, inspectMillis, null);
  }

  /** As {@link #judged(RenderedImage, Verdict, byte[], long)}, with the gallery's thumbnail ({@code null} if none). */
  public static Inspection judged(RenderedImage image, Verdict verdict, byte[] png, long inspectMillis,
      Thumbnail thumbnail) {
    Inspection i = new Inspection();
    i.image = image;
    i.verdict = verdict;
    i.png = png;
    i.inspectMillis = inspectMillis;
    i.thumbnail = thumbnail;
    return i;
  }

  public static Inspection settled(RenderResult result) {
    Inspection i = new Inspection();
    i.settled = result;
    return i;
  }

  /** tenant/batchId: near-duplicates are looked for within a batch. */
  public String batchKey() {
    RenderResult r = settled;
    return r != null ? r.getTenant() + "/" + r.getBatchId() : image.getTenant() + "/" + image.getBatchId();
  }
}
