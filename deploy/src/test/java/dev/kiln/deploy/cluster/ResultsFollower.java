package dev.kiln.deploy.cluster;

import dev.kiln.ingest.watch.ResultWatcher;
import dev.kiln.schemas.RenderResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads every committed result on kiln.results in a background thread, through broker restarts,
 * and keeps them per batch, so a test can wait for a share of a batch before injecting a fault.
 */
final class ResultsFollower implements AutoCloseable {
  private final Map<String, List<RenderResult>> byBatch = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  ResultsFollower(String bootstrapServers) {
    thread = new Thread(() -> {
      try (ResultWatcher watcher = new ResultWatcher(bootstrapServers, "kiln.results")) {
        while (running) {
          watcher.poll(Duration.ofMillis(500), r -> byBatch.computeIfAbsent(r.getBatchId(),
              b -> java.util.Collections.synchronizedList(new ArrayList<>())).add(r));
        }
      }
    }, "results-follower");
    thread.setDaemon(true);
    thread.start();
  }

  /** Results of {@code batch} so far, duplicates included. */
  List<RenderResult> results(String batch) {
    List<RenderResult> list = byBatch.getOrDefault(batch, List.of());
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  /** Distinct images of {@code batch} with a result. */
  long images(String batch) {
    return results(batch).stream().map(RenderResult::getImageId).distinct().count();
  }

  /** Waits until {@code batch} has results for {@code n} distinct images. */
  void awaitImages(String batch, long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (images(batch) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("batch " + batch + ": " + images(batch) + " of " + n + " images have a result after "
            + timeout);
      }
      Thread.sleep(200);
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
