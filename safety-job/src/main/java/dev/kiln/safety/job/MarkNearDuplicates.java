package dev.kiln.safety.job;

import dev.kiln.safety.pdq.PdqHash;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Marks an image that comes within the tenant's near-duplicate distance of an earlier published
 * image of the same batch (keyed by tenant/batch): the verdict names the earlier image and the
 * distance, and gets a flag. The decision does not change: a near-duplicate is not unsafe.
 * Hashes are kept per batch for {@code ttl}.
 */
public class MarkNearDuplicates extends KeyedProcessFunction<String, Inspection, Inspection> {
  private static final long serialVersionUID = 1L;

  private final TenantPolicies policies;
  private final Duration ttl;
  private transient MapState<String, String> hashes;
  private transient Counter marked;

  public MarkNearDuplicates(TenantPolicies policies, Duration ttl) {
    this.policies = policies;
    this.ttl = ttl;
  }

  @Override
  public void open(OpenContext openContext) {
    MapStateDescriptor<String, String> d = new MapStateDescriptor<>("pdq-by-image", String.class, String.class);
    d.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
    hashes = getRuntimeContext().getMapState(d);
    marked = getRuntimeContext().getMetricGroup().counter("nearDuplicatesMarked");
  }

  @Override
  public void processElement(Inspection in, Context ctx, Collector<Inspection> out) throws Exception {
    Verdict v = in.verdict;
    if (in.settled != null || v == null || v.getPdqHash() == null || v.getDecision() == Decision.REJECTED) {
      out.collect(in);
      return;
    }
    int maxDistance = policies.forTenant(in.image.getTenant()).nearDuplicateDistance();
    PdqHash hash = PdqHash.fromHex(v.getPdqHash());
    String closest = null;
    int best = Integer.MAX_VALUE;
    if (maxDistance > 0) {
      for (Map.Entry<String, String> e : hashes.entries()) {
        if (e.getKey().equals(in.image.getImageId())) {
          continue;
        }
        int d = hash.distance(PdqHash.fromHex(e.getValue()));
        if (d <= maxDistance && (d < best || (d == best && e.getKey().compareTo(closest) < 0))) {
          best = d;
          closest = e.getKey();
        }
      }
    }
    hashes.put(in.image.getImageId(), v.getPdqHash());
    if (closest != null) {
      marked.inc();
      List<String> flags = new ArrayList<>(v.getFlags());
      flags.add("near-duplicate:" + closest + " (distance " + best + ")");
      in.verdict = Verdict.newBuilder(v).setFlags(flags).setNearDuplicateOf(closest).setNearDuplicateDistance(best)
          .build();
    }
    out.collect(in);
  }
}
