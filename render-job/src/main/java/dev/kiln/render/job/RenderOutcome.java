package dev.kiln.render.job;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;

/** What rendering one image gave: a staged image, or a FAILED result. Exactly one is set. A Flink POJO. */
public class RenderOutcome {
  public RenderedImage image;
  public RenderResult failure;

  public RenderOutcome() {}

  public static RenderOutcome rendered(RenderedImage image) {
    RenderOutcome o = new RenderOutcome();
    o.image = image;
    return o;
  }

  public static RenderOutcome failed(RenderResult failure) {
    RenderOutcome o = new RenderOutcome();
    o.failure = failure;
    return o;
  }
}
