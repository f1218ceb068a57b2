package dev.kiln.render.job;

import dev.kiln.schemas.RenderRequest;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a request whose id (per tenant) was already accepted within the TTL, so a catalogue
 * submitted twice, or a scheduler that fires twice, renders and publishes nothing twice.
 * Keyed by {@link #key}. A new batch id gives new request ids, so it renders again.
 *
 * <p>The TTL bounds the state: ids older than it are forgotten, and a resubmission after that
 * renders again. Processing time, since a replayed request must still be recognised.
 */
public class DedupeRequests extends KeyedProcessFunction<String, RenderRequest, RenderRequest> {
  private static final long serialVersionUID = 1L;

  private final Duration ttl;
  private transient ValueState<Boolean> seen;
  private transient Counter duplicates;

  public DedupeRequests(Duration ttl) {
    this.ttl = ttl;
  }

  /**
   * The dedupe key: a request id within its tenant and batch, the same scope as its images' object
   * keys. Resubmitting a batch renders nothing twice; the same request ids under a new batch id
   * (the sample batch run again, a catalogue's next night) are new images under new keys, and are
   * rendered. Before, the key left out the batch, and once checkpoints were restored across runs a
   * second `kiln local` of the sample batch waited forever for results of requests it had dropped.
   */
  public static String key(RenderRequest request) {
    return request.getTenant() + "/" + request.getBatchId() + "/" + request.getRequestId();
  }

  @Override
  public void open(OpenContext openContext) {
    ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("seen", Boolean.class);
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .build());
    seen = getRuntimeContext().getState(descriptor);
    duplicates = getRuntimeContext().getMetricGroup().counter("requestsDeduplicated");
  }

  @Override
  public void processElement(RenderRequest request, Context ctx, Collector<RenderRequest> out) throws Exception {
    if (seen.value() != null) {
      duplicates.inc();
      return;
    }
    seen.update(Boolean.TRUE);
    out.collect(request);
  }
}
