package dev.kiln.render.job;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.RequestValidator;
import dev.kiln.schemas.Rerenders;
import dev.kiln.schemas.Seeds;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.wire.DeadLetters;
import dev.kiln.wire.RawRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns the safety job's re-render records (kiln.rerenders, see {@link Rerenders}) into render
 * tasks: the request rebuilt from the record's parameters and ids, the record's seed and attempt.
 * A record that does not decode, or does not describe an image a request could have (invalid
 * fields, an unknown model, an attempt below 1, an image id that is not requestId-index) goes to
 * {@link #DEAD_LETTERS} with the reason, as {@link DecodeRequests} does for requests; the job goes on.
 */
public class DecodeRerenders extends ProcessFunction<RawRecord, ImageTask> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("rerender-dead-letters") {};

  private final TreeSet<String> knownModels;
  private transient Counter decoded;
  private transient Counter deadLettered;

  public DecodeRerenders(Set<String> knownModels) {
    this.knownModels = new TreeSet<>(knownModels);
  }

  @Override
  public void open(OpenContext openContext) {
    TrustedPackages.ensure();
    decoded = getRuntimeContext().getMetricGroup().counter("rerendersDecoded");
    deadLettered = getRuntimeContext().getMetricGroup().counter("rerendersDeadLettered");
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<ImageTask> out) {
    RenderedImage image;
    try {
      image = Codecs.IMAGE.decode(raw.value);
    } catch (InvalidRecordException e) {
      deadLetter(ctx, raw, "decode", e.getMessage());
      return;
    }
    RenderRequest request = Rerenders.request(image);
    List<FieldError> errors = new ArrayList<>(RequestValidator.validate(request));
    if (image.getAttempt() < 1) {
      errors.add(new FieldError("attempt", "must be 1 or more on a re-render record (attempt 0 is the first"
          + " render), got " + image.getAttempt()));
    }
    if (image.getImageIndex() < 0 || image.getImageIndex() >= image.getImageCount()) {
      errors.add(new FieldError("imageIndex", "must be 0.." + (image.getImageCount() - 1) + " (imageCount "
          + image.getImageCount() + "), got " + image.getImageIndex()));
    } else if (!image.getImageId().equals(Seeds.imageId(image.getRequestId(), image.getImageIndex()))) {
      errors.add(new FieldError("imageId", "must be requestId-imageIndex \""
          + Seeds.imageId(image.getRequestId(), image.getImageIndex()) + "\", got \"" + image.getImageId() + "\""));
    }
    if (!errors.isEmpty()) {
      deadLetter(ctx, raw, "validate", "invalid re-render record " + image.getImageId() + ": "
          + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
      return;
    }
    if (!knownModels.contains(request.getModel())) {
      deadLetter(ctx, raw, "model", "field \"params.model\": unknown model \"" + request.getModel()
          + "\", available: " + knownModels);
      return;
    }
    if (decoded != null) {
      decoded.inc();
    }
    out.collect(new ImageTask(request, image.getImageIndex(), image.getImageId(), image.getParams().getSeed(),
        image.getAttempt(), true));
  }

  private void deadLetter(Context ctx, RawRecord raw, String stage, String reason) {
    if (deadLettered != null) {
      deadLettered.inc();
    }
    ctx.output(DEAD_LETTERS, DeadLetters.of(raw, stage, reason));
  }
}
