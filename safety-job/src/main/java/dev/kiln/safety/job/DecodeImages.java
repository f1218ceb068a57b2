package dev.kiln.safety.job;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.wire.DeadLetters;
import dev.kiln.wire.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Decodes image references; an undecodable record becomes a dead letter and the job goes on. */
public class DecodeImages extends ProcessFunction<RawRecord, RenderedImage> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("image-dead-letters") {};

  @Override
  public void open(OpenContext openContext) {
    TrustedPackages.ensure();
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<RenderedImage> out) {
    try {
      out.collect(Codecs.IMAGE.decode(raw.value));
    } catch (InvalidRecordException e) {
      ctx.output(DEAD_LETTERS, DeadLetters.of(raw, "decode", e.getMessage()));
    }
  }
}
