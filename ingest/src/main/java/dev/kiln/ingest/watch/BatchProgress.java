package dev.kiln.ingest.watch;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counts the results of one batch of one tenant by status. Two tenants may use the same batch
 * id (every HTTP request without one is in batch {@code api}), so a result counts only when both
 * match. A result is counted once per image id, so a
 * result seen twice (which exactly-once delivery should prevent) cannot inflate the counts;
 * {@link #duplicates()} says whether that ever happened.
 */
public final class BatchProgress {
  private final String tenant;
  private final String batchId;
  private final Map<String, ResultStatus> byImage = new HashMap<>();
  private final EnumMap<ResultStatus, Integer> counts = new EnumMap<>(ResultStatus.class);
  private int duplicates;

  public BatchProgress(String tenant, String batchId) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.batchId = Objects.requireNonNull(batchId, "batchId");
    for (ResultStatus s : ResultStatus.values()) {
      counts.put(s, 0);
    }
  }

  /** Adds a result if it belongs to this tenant's batch; returns whether it did. */
  public synchronized boolean add(RenderResult result) {
    if (!batchId.equals(result.getBatchId()) || !tenant.equals(result.getTenant())) {
      return false;
    }
    ResultStatus earlier = byImage.putIfAbsent(result.getImageId(), result.getStatus());
    if (earlier != null) {
      duplicates++;
      return true;
    }
    counts.merge(result.getStatus(), 1, Integer::sum);
    return true;
  }

  public String tenant() {
    return tenant;
  }

  public String batchId() {
    return batchId;
  }

  public synchronized int count(ResultStatus status) {
    return counts.get(status);
  }

  public synchronized int total() {
    return byImage.size();
  }

  public synchronized int duplicates() {
    return duplicates;
  }

  @Override
  public synchronized String toString() {
    return "published " + counts.get(ResultStatus.PUBLISHED) + ", rejected " + counts.get(ResultStatus.REJECTED)
        + ", failed " + counts.get(ResultStatus.FAILED);
  }
}
