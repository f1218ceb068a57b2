package dev.kiln.render.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects requests from any number of threads (every task slot of a TaskManager) and runs
 * them through one {@link BatchRenderer} in batches of compatible requests (equal batch key).
 *
 * <p>A batch key is due when it holds {@code maxBatch} requests, or when its oldest request has
 * waited {@code maxWait}. Which due work goes next is fair share (docs/fair-share.md):
 * <ul>
 *   <li>Requests queue per lane ({@link Lane}), tenant and batch key.
 *   <li>A batch is led by one tenant's oldest request whose key is due. Tenants take turns at
 *       leading, round robin, so a tenant with work due leads a batch after at most one batch led
 *       by each other tenant with work due. Within a tenant, oldest first, so none of its keys
 *       starves.
 *   <li>The batch then fills with compatible requests of every tenant, one request per tenant in
 *       turn, so tenants with backlogs share each batch and a tenant with one request rides in the
 *       next batch of its key.
 *   <li>{@link Lane#INTERACTIVE} work leads and fills batches before {@link Lane#BULK} work; while
 *       bulk work is due, at most {@value #INTERACTIVE_RUN} batches in a row are led by interactive
 *       work, so bulk work is never starved.
 * </ul>
 * Requests submitted without a tenant ({@link #submit(Object)}) share one bulk queue: first in,
 * first out per key, as before fair share.
 *
 * <p>{@code workers} threads each take the next due batch, so that many batches run side by
 * side. On a GPU one is right: the device runs one batch at a time anyway. On CPU, one batch per
 * core, each with one ONNX Runtime thread, beats one batch spread over all cores: kiln-tiny's
 * small operators leave an intra-op thread pool waiting on itself (on 2 cores, batch 8: 37
 * images/s with one batch on ONNX Runtime's default threads, 93 with two single-threaded batches).
 *
 * <p>Hand-written: the scheduling rule above is the point of the class, and no queueing library
 * forms batches by key across per-tenant queues.
 */
public final class BatchingEngine<Q, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchingEngine.class);

  /** Most batches in a row led by interactive work while bulk work is due. */
  public static final int INTERACTIVE_RUN = 3;

  /** The tenant of requests submitted without one. */
  private static final Object NO_TENANT = new Object() {
    @Override
    public String toString() {
      return "(no tenant)";
    }
  };

  /** Which work goes first: interactive requests (one at a time, someone waiting) before bulk ones. */
  public enum Lane {
    INTERACTIVE,
    BULK
  }

  private final BatchRenderer<Q, R> renderer;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /**
   * Per lane (index = ordinal), per tenant in turn order (the next to lead first), per batch key:
   * the queued requests, oldest first. Empty queues and tenants are removed.
   */
  private final List<LinkedHashMap<Object, Map<Object, Deque<Pending<Q, R>>>>> lanes = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rendered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private int queued;
  private int interactiveLedInARow;
  private boolean closed;

  /** One submitted request and when it arrived. */
  private record Pending<Q, R>(Q request, Object key, long arrivedNanos, CompletableFuture<Void> started,
      CompletableFuture<Completed<R>> future) {}

  /**
   * A rendered result with what it cost: how long the request waited for its batch, how long
   * the batch ran, and how big it was.
   */
  public record Completed<R>(R result, long queueMillis, long renderMillis, int batchSize) {}

  /**
   * What {@link #submit(Object, Object, Lane)} returns.
   *
   * @param started completes when the request's batch starts rendering (exceptionally if the
   *     engine refused the request)
   * @param result completes when its batch has run, exceptionally if it failed
   */
  public record Submission<R>(CompletableFuture<Void> started, CompletableFuture<Completed<R>> result) {}

  /** One worker: batches run one after another. */
  public BatchingEngine(BatchRenderer<Q, R> renderer, int maxBatch, Duration maxWait, String name) {
    this(renderer, maxBatch, maxWait, 1, name);
  }

  /**
   * @param workers batches that may run at the same time, each on its own thread; the renderer
   *     must be safe for that many concurrent calls
   */
  public BatchingEngine(BatchRenderer<Q, R> renderer, int maxBatch, Duration maxWait, int workers, String name) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, got " + maxWait);
    }
    this.renderer = renderer;
    this.maxBatch = maxBatch;
    this.maxWaitNanos = maxWait.toNanos();
    for (int i = 0; i < Lane.values().length; i++) {
      lanes.add(new LinkedHashMap<>());
    }
    for (int i = 0; i < workers; i++) {
      Thread worker = new Thread(this::runLoop, "kiln-batching-" + name + (workers == 1 ? "" : "-" + i));
      worker.setDaemon(true);
      this.workers.add(worker);
    }
    this.workers.forEach(Thread::start);
  }

  /**
   * Queues one bulk request without a tenant: such requests are served first in, first out per key.
   *
   * @return completes when its batch has run, exceptionally if it failed
   */
  public CompletableFuture<Completed<R>> submit(Q request) {
    return submit(request, NO_TENANT, Lane.BULK).result();
  }

  /**
   * Queues one request of {@code tenant} in {@code lane}.
   *
   * @param tenant any value with equals and hashCode; requests of equal tenants share one turn
   */
  public Submission<R> submit(Q request, Object tenant, Lane lane) {
    CompletableFuture<Void> started = new CompletableFuture<>();
    CompletableFuture<Completed<R>> future = new CompletableFuture<>();
    Object key = renderer.batchKey(request);
    lock.lock();
    try {
      if (closed) {
        IllegalStateException refused = new IllegalStateException("batching engine is closed");
        started.completeExceptionally(refused);
        future.completeExceptionally(refused);
        return new Submission<>(started, future);
      }
      lanes.get(lane.ordinal()).computeIfAbsent(tenant, t -> new LinkedHashMap<>())
          .computeIfAbsent(key, k -> new ArrayDeque<>())
          .add(new Pending<>(request, key, System.nanoTime(), started, future));
      queued++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return new Submission<>(started, future);
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** Batches that may run at the same time. */
  public int workers() {
    return workers.size();
  }

  /** Requests queued and not yet in a batch. */
  public int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** Number of batches run so far. */
  public long batches() {
    return batches.get();
  }

  /** Number of requests rendered successfully so far. */
  public long rendered() {
    return rendered.get();
  }

  public long failed() {
    return failed.get();
  }

  private void runLoop() {
    while (true) {
      List<Pending<Q, R>> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (batch == null) {
        return;
      }
      run(batch);
    }
  }

  /** Per batch key: how many requests are queued and when the oldest arrived. */
  private static final class KeyState {
    int count;
    long oldestNanos = Long.MAX_VALUE;
  }

  /** Blocks until a batch is due; null once closed and drained. */
  private List<Pending<Q, R>> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        if (queued == 0) {
          if (closed) {
            return null;
          }
          changed.await();
          continue;
        }
        long now = System.nanoTime();
        Map<Object, KeyState> keys = keyStates();
        long nextDueNanos = Long.MAX_VALUE;
        for (KeyState k : keys.values()) {
          if (k.count < maxBatch && !closed) {
            nextDueNanos = Math.min(nextDueNanos, k.oldestNanos + maxWaitNanos - now);
          }
        }
        List<Pending<Q, R>> batch = takeDue(keys, now);
        if (batch != null) {
          queued -= batch.size();
          return batch;
        }
        changed.awaitNanos(Math.max(1, nextDueNanos));
      }
    } finally {
      lock.unlock();
    }
  }

  private Map<Object, KeyState> keyStates() {
    Map<Object, KeyState> keys = new HashMap<>();
    for (var lane : lanes) {
      for (var byKey : lane.values()) {
        for (var queue : byKey.values()) {
          KeyState k = keys.computeIfAbsent(queue.peek().key(), x -> new KeyState());
          k.count += queue.size();
          k.oldestNanos = Math.min(k.oldestNanos, queue.peek().arrivedNanos());
        }
      }
    }
    return keys;
  }

  private boolean due(KeyState k, long now) {
    return closed || k.count >= maxBatch || now - k.oldestNanos >= maxWaitNanos;
  }

  /** The next batch by the class comment's rule, taken out of the queues; null if no key is due. */
  private List<Pending<Q, R>> takeDue(Map<Object, KeyState> keys, long now) {
    Lane[] order = {Lane.INTERACTIVE, Lane.BULK};
    if (interactiveLedInARow >= INTERACTIVE_RUN && leader(Lane.BULK, keys, now) != null) {
      order = new Lane[] {Lane.BULK, Lane.INTERACTIVE};
    }
    for (Lane lane : order) {
      Object tenant = leader(lane, keys, now);
      if (tenant == null) {
        continue;
      }
      var tenants = lanes.get(lane.ordinal());
      Deque<Pending<Q, R>> led = oldestDueQueue(tenants.get(tenant), keys, now);
      Object key = led.peek().key();
      List<Pending<Q, R>> batch = new ArrayList<>(Math.min(maxBatch, keys.get(key).count));
      batch.add(led.poll());
      // The leader goes to the back of its lane's turn order, before the batch fills, so the
      // fill starts with the tenant whose turn is next.
      tenants.put(tenant, tenants.remove(tenant));
      for (Lane fillLane : order) {
        fill(batch, lanes.get(fillLane.ordinal()), key);
      }
      interactiveLedInARow = lane == Lane.INTERACTIVE ? interactiveLedInARow + 1 : 0;
      return batch;
    }
    return null;
  }

  /** The first tenant in {@code lane}'s turn order with a request whose key is due; null if none. */
  private Object leader(Lane lane, Map<Object, KeyState> keys, long now) {
    for (var tenant : lanes.get(lane.ordinal()).entrySet()) {
      if (oldestDueQueue(tenant.getValue(), keys, now) != null) {
        return tenant.getKey();
      }
    }
    return null;
  }

  /** Of one tenant's queues, the one whose oldest request is oldest among those with a due key. */
  private Deque<Pending<Q, R>> oldestDueQueue(Map<Object, Deque<Pending<Q, R>>> byKey, Map<Object, KeyState> keys,
      long now) {
    Deque<Pending<Q, R>> oldest = null;
    for (var queue : byKey.values()) {
      if (due(keys.get(queue.peek().key()), now)
          && (oldest == null || queue.peek().arrivedNanos() < oldest.peek().arrivedNanos())) {
        oldest = queue;
      }
    }
    return oldest;
  }

  /**
   * Adds requests of {@code key} to {@code batch} up to the batch size, one per tenant in turn
   * order, round after round; drops emptied queues and tenants.
   */
  private void fill(List<Pending<Q, R>> batch, LinkedHashMap<Object, Map<Object, Deque<Pending<Q, R>>>> tenants,
      Object key) {
    boolean took = true;
    while (took && batch.size() < maxBatch) {
      took = false;
      for (var byKey : tenants.values()) {
        Deque<Pending<Q, R>> queue = byKey.get(key);
        if (queue != null && !queue.isEmpty() && batch.size() < maxBatch) {
          batch.add(queue.poll());
          took = true;
        }
      }
    }
    for (Iterator<Map<Object, Deque<Pending<Q, R>>>> t = tenants.values().iterator(); t.hasNext(); ) {
      Map<Object, Deque<Pending<Q, R>>> byKey = t.next();
      byKey.values().removeIf(Deque::isEmpty);
      if (byKey.isEmpty()) {
        t.remove();
      }
    }
  }

  private void run(List<Pending<Q, R>> batch) {
    long start = System.nanoTime();
    List<Q> requests = new ArrayList<>(batch.size());
    for (Pending<Q, R> p : batch) {
      requests.add(p.request());
      p.started().complete(null);
    }
    List<R> results;
    try {
      results = renderer.render(requests);
      if (results.size() != batch.size()) {
        throw new IllegalStateException("renderer returned " + results.size() + " results for " + batch.size()
            + " requests");
      }
    } catch (RuntimeException e) {
      // One failed batch fails only its own requests; the engine keeps serving the others.
      LOG.warn("batch of {} failed: {}", batch.size(), e.toString());
      failed.addAndGet(batch.size());
      batch.forEach(p -> p.future().completeExceptionally(e));
      return;
    } catch (Error e) {
      batch.forEach(p -> p.future().completeExceptionally(e));
      throw e;
    }
    long end = System.nanoTime();
    long renderMillis = (end - start) / 1_000_000;
    batches.incrementAndGet();
    rendered.addAndGet(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Pending<Q, R> p = batch.get(i);
      p.future().complete(new Completed<>(results.get(i), (start - p.arrivedNanos()) / 1_000_000, renderMillis,
          batch.size()));
    }
  }

  /** Runs what is queued, then stops the workers. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    try {
      for (Thread worker : workers) {
        worker.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
