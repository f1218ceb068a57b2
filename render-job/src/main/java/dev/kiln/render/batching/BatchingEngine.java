package dev.kiln.render.batching;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
 * them through one {@link BatchRenderer} in batches of compatible requests.
 *
 * <p>A batch is run when it holds {@code maxBatch} requests, or when its oldest request has
 * waited {@code maxWait}. Compatible batches are taken oldest first, so no key starves.
 *
 * <p>{@code workers} threads each take the next due batch, so that many batches run side by
 * side. On a GPU one is right: the device runs one batch at a time anyway. On CPU, one batch per
 * core, each with one ONNX Runtime thread, beats one batch spread over all cores: kiln-tiny's
 * small operators leave an intra-op thread pool waiting on itself (on 2 cores, batch 8: 37
 * images/s with one batch on ONNX Runtime's default threads, 93 with two single-threaded batches).
 */
public final class BatchingEngine<Q, R> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchingEngine.class);

  private final BatchRenderer<Q, R> renderer;
  private final int maxBatch;
  private final long maxWaitNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Object, Deque<Pending<Q, R>>> queues = new LinkedHashMap<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong rendered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private int queued;
  private boolean closed;

  /** One submitted request and when it arrived. */
  private record Pending<Q, R>(Q request, long arrivedNanos, CompletableFuture<Completed<R>> future) {}

  /**
   * A rendered result with what it cost: how long the request waited for its batch, how long
   * the batch ran, and how big it was.
   */
  public record Completed<R>(R result, long queueMillis, long renderMillis, int batchSize) {}

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
    for (int i = 0; i < workers; i++) {
      Thread worker = new Thread(this::runLoop, "kiln-batching-" + name + (workers == 1 ? "" : "-" + i));
      worker.setDaemon(true);
      this.workers.add(worker);
    }
    this.workers.forEach(Thread::start);
  }

  /** Queues one request; the future completes when its batch has run, exceptionally if it failed. */
  public CompletableFuture<Completed<R>> submit(Q request) {
    CompletableFuture<Completed<R>> future = new CompletableFuture<>();
    Object key = renderer.batchKey(request);
    lock.lock();
    try {
      if (closed) {
        future.completeExceptionally(new IllegalStateException("batching engine is closed"));
        return future;
      }
      queues.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Pending<>(request, System.nanoTime(), future));
      queued++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return future;
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** Batches that may run at the same time. */
  public int workers() {
    return workers.size();
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
        Deque<Pending<Q, R>> oldest = null;
        Deque<Pending<Q, R>> full = null;
        for (Deque<Pending<Q, R>> q : queues.values()) {
          if (q.isEmpty()) {
            continue;
          }
          if (q.size() >= maxBatch && (full == null || q.peek().arrivedNanos < full.peek().arrivedNanos)) {
            full = q;
          }
          if (oldest == null || q.peek().arrivedNanos < oldest.peek().arrivedNanos) {
            oldest = q;
          }
        }
        long waitedNanos = System.nanoTime() - oldest.peek().arrivedNanos;
        Deque<Pending<Q, R>> due = full != null ? full : (waitedNanos >= maxWaitNanos || closed ? oldest : null);
        if (due != null) {
          List<Pending<Q, R>> batch = new ArrayList<>(Math.min(maxBatch, due.size()));
          while (batch.size() < maxBatch && !due.isEmpty()) {
            batch.add(due.poll());
          }
          queued -= batch.size();
          dropEmptyQueues();
          return batch;
        }
        changed.awaitNanos(maxWaitNanos - waitedNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  private void dropEmptyQueues() {
    for (Iterator<Deque<Pending<Q, R>>> it = queues.values().iterator(); it.hasNext(); ) {
      if (it.next().isEmpty()) {
        it.remove();
      }
    }
  }

  private void run(List<Pending<Q, R>> batch) {
    long start = System.nanoTime();
    List<Q> requests = new ArrayList<>(batch.size());
    for (Pending<Q, R> p : batch) {
      requests.add(p.request());
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
