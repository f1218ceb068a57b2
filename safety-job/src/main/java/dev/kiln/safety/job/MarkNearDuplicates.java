package dev.kiln.safety.job;

import dev.kiln.safety.pdq.PdqHash;
import dev.kiln.safety.policy.TenantPolicies;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Rerenders;
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
import org.apache.flink.util.OutputTag;

/**
 * Finds an image that comes within the tenant's near-duplicate distance of an earlier published
 * image of the same batch (keyed by tenant/batch). A near-duplicate is not unsafe, so the decision
 * never changes; what happens depends on the request:
 *
 * <ul>
 *   <li>without {@code rerenderNearDuplicates}, or once the image's {@code attempt} has reached
 *       {@code maxRerenders}: the verdict names the earlier image and the distance, gets a
 *       {@code near-duplicate:} flag, and the image goes on to be published;
 *   <li>with {@code rerenderNearDuplicates} and {@code attempt < maxRerenders}: the image is not
 *       forwarded (it gets no result); a re-render record ({@link Rerenders#next}: attempt + 1, a
 *       new seed) goes to {@link #RERENDERS}, for kiln.rerenders. Its hash is not kept, since it is
 *       not published, and its staging object stays where it is.
 * </ul>
 *
 * An image that was re-rendered gets a flag {@code re-rendered N times as a near-duplicate} on the
 * attempt that is published or quarantined. Hashes are kept per batch for {@code ttl}.
 *
 * <p>Why a re-render keeps exactly one result per image: the re-render record is written by an
 * exactly-once Kafka sink, so the render job (read_committed) sees it only once the checkpoint
 * that holds it completes; that same checkpoint holds this job's source offset past attempt k. So
 * once attempt k + 1 exists, attempt k is never replayed. A replay of attempt k before that
 * checkpoint still finds attempt k's staging object (nothing deletes it until the image is
 * published) and is judged afresh, while the uncommitted re-render record is aborted. The
 * publisher deletes every attempt's staging object (the keys are deterministic) when it publishes
 * the last one.
 */
public class MarkNearDuplicates extends KeyedProcessFunction<String, Inspection, Inspection> {
  private static final long serialVersionUID = 1L;
  /** Images to render again, as re-render records for kiln.rerenders. */
  public static final OutputTag<RenderedImage> RERENDERS = new OutputTag<>("rerenders") {};

  private final TenantPolicies policies;
  private final Duration ttl;
  private final int maxRerenders;
  private transient MapState<String, String> hashes;
  private transient Counter marked;
  private transient Counter rerendered;

  /** Marks near-duplicates and never re-renders them. */
  public MarkNearDuplicates(TenantPolicies policies, Duration ttl) {
    this(policies, ttl, 0);
  }

  /**
   * @param maxRerenders how often one image may be rendered again, 0 or more
   * @throws IllegalArgumentException if {@code maxRerenders} is negative
   */
  public MarkNearDuplicates(TenantPolicies policies, Duration ttl, int maxRerenders) {
    if (maxRerenders < 0) {
      throw new IllegalArgumentException("maxRerenders must be 0 or more (" + SafetyJobOptions.MAX_RERENDERS.key()
          + "), got " + maxRerenders);
    }
    this.policies = policies;
    this.ttl = ttl;
    this.maxRerenders = maxRerenders;
  }

  /** The flag on the verdict of an image that was rendered {@code attempt} times before. */
  public static String rerenderedFlag(int attempt) {
    return "re-rendered " + attempt + (attempt == 1 ? " time" : " times") + " as a near-duplicate";
  }

  @Override
  public void open(OpenContext openContext) {
    MapStateDescriptor<String, String> d = new MapStateDescriptor<>("pdq-by-image", String.class, String.class);
    d.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
    hashes = getRuntimeContext().getMapState(d);
    marked = getRuntimeContext().getMetricGroup().counter("nearDuplicatesMarked");
    rerendered = getRuntimeContext().getMetricGroup().counter("nearDuplicatesRerendered");
  }

  @Override
  public void processElement(Inspection in, Context ctx, Collector<Inspection> out) throws Exception {
    Verdict v = in.verdict;
    if (in.settled != null || v == null) {
      out.collect(in);
      return;
    }
    if (v.getPdqHash() == null || v.getDecision() == Decision.REJECTED) {
      out.collect(withAttemptFlag(in));
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
    if (closest != null && in.image.getRerenderNearDuplicates() && in.image.getAttempt() < maxRerenders) {
      rerendered.inc();
      ctx.output(RERENDERS, Rerenders.next(in.image));
      return;
    }
    hashes.put(in.image.getImageId(), v.getPdqHash());
    if (closest != null) {
      marked.inc();
      List<String> flags = new ArrayList<>(v.getFlags());
      flags.add("near-duplicate:" + closest + " (distance " + best + ")");
      in.verdict = Verdict.newBuilder(v).setFlags(flags).setNearDuplicateOf(closest).setNearDuplicateDistance(best)
          .build();
    }
    out.collect(withAttemptFlag(in));
  }

  private static Inspection withAttemptFlag(Inspection in) {
    int attempt = in.image.getAttempt();
    if (attempt > 0) {
      List<String> flags = new ArrayList<>(in.verdict.getFlags());
      flags.add(rerenderedFlag(attempt));
      in.verdict = Verdict.newBuilder(in.verdict).setFlags(flags).build();
    }
    return in;
  }
}
