package dev.kiln.render.job;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RequestValidator;
import dev.kiln.schemas.TrustedPackages;
import dev.kiln.wire.DeadLetters;
import dev.kiln.wire.RawRecord;
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
 * Decodes raw Kafka records into requests and validates every field. Anything that is not a
 * valid request for a known model goes to {@link #DEAD_LETTERS} with its bytes and the reason;
 * the job goes on (DESIGN.md decision 6).
 */
public class DecodeRequests extends ProcessFunction<RawRecord, RenderRequest> {
  private static final long serialVersionUID = 1L;
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final TreeSet<String> knownModels;
  private transient Counter decoded;
  private transient Counter deadLettered;

  public DecodeRequests(Set<String> knownModels) {
    this.knownModels = new TreeSet<>(knownModels);
  }

  @Override
  public void open(OpenContext openContext) {
    TrustedPackages.ensure();
    decoded = getRuntimeContext().getMetricGroup().counter("requestsDecoded");
    deadLettered = getRuntimeContext().getMetricGroup().counter("requestsDeadLettered");
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<RenderRequest> out) {
    RenderRequest request;
    try {
      request = Codecs.REQUEST.decode(raw.value);
    } catch (InvalidRecordException e) {
      deadLetter(ctx, raw, "decode", e.getMessage());
      return;
    }
    List<FieldError> errors = RequestValidator.validate(request);
    if (!errors.isEmpty()) {
      deadLetter(ctx, raw, "validate", "invalid request " + request.getRequestId() + ": "
          + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
      return;
    }
    if (!knownModels.contains(request.getModel())) {
      deadLetter(ctx, raw, "model", "field \"model\": unknown model \"" + request.getModel()
          + "\", available: " + knownModels);
      return;
    }
    if (decoded != null) {
      decoded.inc();
    }
    out.collect(request);
  }

  private void deadLetter(Context ctx, RawRecord raw, String stage, String reason) {
    if (deadLettered != null) {
      deadLettered.inc();
    }
    ctx.output(DEAD_LETTERS, DeadLetters.of(raw, stage, reason));
  }
}
