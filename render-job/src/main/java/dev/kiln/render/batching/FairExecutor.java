package dev.kiln.render.batching;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs tasks on an executor in fair-share order rather than first in, first out: interactive
 * tasks first, then one task of each tenant in turn. The render job checks every image against the
 * bucket before it reaches the {@link BatchingEngine}; on a first-in, first-out pool, one tenant's
 * backlog of 2,000 checks would make another tenant's single image wait for all of them before its
 * fair turn in the engine could even begin.
 *
 * <p>Each task hands the pool one token; a token runs whichever task is next in fair order, so the
 * pool's own queue order does not matter. Thread-safe.
 */
public final class FairExecutor {
  private final Executor pool;
  private final Deque<Runnable> interactive = new ArrayDeque<>();
  private final Map<String, Deque<Runnable>> byTenant = new HashMap<>();
  /** Tenants with bulk tasks waiting, in the order of their next turn. */
  private final Deque<String> turns = new ArrayDeque<>();

  public FairExecutor(Executor pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
  }

  /** An executor that queues its tasks as {@code tenant}'s, in {@code lane}. */
  public Executor forTenant(String tenant, BatchingEngine.Lane lane) {
    Objects.requireNonNull(tenant, "tenant");
    return task -> execute(tenant, lane, task);
  }

  /** Queues {@code task} and gives the pool a token for it. */
  public void execute(String tenant, BatchingEngine.Lane lane, Runnable task) {
    Objects.requireNonNull(task, "task");
    synchronized (this) {
      if (lane == BatchingEngine.Lane.INTERACTIVE) {
        interactive.addLast(task);
      } else {
        Deque<Runnable> queue = byTenant.computeIfAbsent(tenant, t -> new ArrayDeque<>());
        if (queue.isEmpty()) {
          turns.addLast(tenant);
        }
        queue.addLast(task);
      }
    }
    pool.execute(this::runNext);
  }

  /** Tasks waiting, interactive and bulk. */
  public synchronized int queued() {
    return interactive.size() + byTenant.values().stream().mapToInt(Deque::size).sum();
  }

  private void runNext() {
    Runnable next;
    synchronized (this) {
      next = interactive.pollFirst();
      if (next == null) {
        String tenant = turns.pollFirst();
        if (tenant == null) {
          return;
        }
        Deque<Runnable> queue = byTenant.get(tenant);
        next = queue.pollFirst();
        if (queue.isEmpty()) {
          byTenant.remove(tenant);
        } else {
          turns.addLast(tenant);
        }
      }
    }
    next.run();
  }
}
