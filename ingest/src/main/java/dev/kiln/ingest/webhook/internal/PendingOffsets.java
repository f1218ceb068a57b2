package dev.kiln.ingest.webhook.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed when records end out of order: per partition, the lowest offset
 * still in progress, or the next one to read when none is. A slow tenant's pending delivery
 * therefore holds back its partition's committed offset, and after a restart the results behind it
 * are delivered again (at-least-once). Thread-safe.
 */
public final class PendingOffsets {
  private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** A record was read and its delivery begins. */
  public synchronized void started(TopicPartition partition, long offset) {
    pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    next.merge(partition, offset + 1, Math::max);
    // Where reading began needs no commit: it is the group's committed offset, or the reset position.
    committed.putIfAbsent(partition, offset);
  }

  /** A record's delivery ended; ignored for partitions {@link #forget forgotten} since. */
  public synchronized void ended(TopicPartition partition, long offset) {
    TreeSet<Long> offsets = pending.get(partition);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /** The offsets to commit now: those that moved since the last {@link #committed}. */
  public synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    next.forEach((partition, nextOffset) -> {
      TreeSet<Long> offsets = pending.get(partition);
      long upTo = offsets == null || offsets.isEmpty() ? nextOffset : offsets.first();
      if (upTo > committed.getOrDefault(partition, -1L)) {
        result.put(partition, new OffsetAndMetadata(upTo));
      }
    });
    return result;
  }

  /** Records a successful commit. */
  public synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((partition, offset) -> committed.merge(partition, offset.offset(), Math::max));
  }

  /** Stops tracking partitions this consumer lost. */
  public synchronized void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(p -> {
      pending.remove(p);
      next.remove(p);
      committed.remove(p);
    });
  }

  /** How many deliveries have not ended. */
  public synchronized int inProgress() {
    return pending.values().stream().mapToInt(TreeSet::size).sum();
  }
}
