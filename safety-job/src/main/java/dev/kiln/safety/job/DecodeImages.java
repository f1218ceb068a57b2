package dev.kiln.safety.job;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderedImage;
import java.util.List;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.wire.DeadLetters;
import dev.kiln.wire.RawRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes image references and checks that each names only its own objects ({@link
 * ImageReferences}); an undecodable or foreign record becomes a dead letter, before any storage
 * call, and the job goes on.
 */
public class DecodeImages extends ProcessFunction<RawRecord, RenderedImage> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("image-dead-letters") {};

  private final String bucket;

  /** @param bucket the bucket this job stages and publishes in; a record naming another is refused */
  public DecodeImages(String bucket) {
    this.bucket = bucket;
  }

  @Override
  public void open(OpenContext openContext) {
    TrustedPackages.ensure();
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<RenderedImage> out) {
    RenderedImage image;
    try {
      image = Codecs.IMAGE.decode(raw.value);
    } catch (InvalidRecordException e) {
      ctx.output(DEAD_LETTERS, DeadLetters.of(raw, "decode", e.getMessage()));
      return;
    }
    List<String> problems = ImageReferences.problems(image, bucket);
    if (!problems.isEmpty()) {
      ctx.output(DEAD_LETTERS, DeadLetters.of(raw, "validate", "invalid image reference: " + String.join("; ", problems)));
      return;
    }
    out.collect(image);
  }
}
