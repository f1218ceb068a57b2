package dev.kiln.safety.job;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;

/**
 * A judged image on its way to being moved: the image reference, its verdict and the PNG bytes
 * the verdict is about (publishing writes exactly those bytes). When the image
 * was already moved by an earlier attempt (a replay) or is lost, {@code settled} holds the final
 * result instead and nothing is moved. A Flink POJO.
 */
public class Inspection {
  public RenderedImage image;
  public Verdict verdict;
  public byte[] png;
  public RenderResult settled;
  public long inspectMillis;

  public Inspection() {}

  public static Inspection judged(RenderedImage image, Verdict verdict, byte[] png, long inspectMillis) {
    Inspection i = new Inspection();
    i.image = image;
    i.verdict = verdict;
    i.png = png;
    i.inspectMillis = inspectMillis;
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
