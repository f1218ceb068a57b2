package dev.kiln.render.job;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.RenderedImage;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Staged images go on; FAILED results go to {@link #FAILED}. */
public class SplitOutcomes extends ProcessFunction<RenderOutcome, RenderedImage> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<RenderResult> FAILED = new OutputTag<>("render-failed") {};

  @Override
  public void processElement(RenderOutcome outcome, Context ctx, Collector<RenderedImage> out) {
    if (outcome.image != null) {
      out.collect(outcome.image);
    } else {
      ctx.output(FAILED, outcome.failure);
    }
  }
}
