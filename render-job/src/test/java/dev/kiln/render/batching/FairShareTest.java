package dev.kiln.render.batching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.render.batching.BatchingEngine.Lane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fair share in the {@link BatchingEngine}: a tenant's request does not wait behind another
 * tenant's backlog, and interactive work goes ahead of bulk work. Each test holds the first batch
 * in the renderer until everything is queued, so the order the engine chooses is the only order.
 */
class FairShareTest {
  static final int BATCH = 8;

  /**
   * Requests are "key:name"; the batch key is what comes before the colon. The first batch waits
   * for {@link #release} before it renders, and every batch is recorded.
   */
  static final class GatedRenderer implements BatchRenderer<String, String> {
    final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Object batchKey(String request) {
      return request.substring(0, request.indexOf(':'));
    }

    @Override
    public List<String> render(List<String> batch) {
      batches.add(List.copyOf(batch));
      try {
        if (!release.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the first batch");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return batch;
    }

    /** 1-based number of the batch that held {@code request}; 0 if none did. */
    int batchOf(String request) {
      synchronized (batches) {
        for (int i = 0; i < batches.size(); i++) {
          if (batches.get(i).contains(request)) {
            return i + 1;
          }
        }
      }
      return 0;
    }
  }

  /** Queues {@code n} requests "key:tenant-i" and waits until the first batch is inside the renderer. */
  static List<CompletableFuture<BatchingEngine.Completed<String>>> backlog(BatchingEngine<String, String> engine,
      GatedRenderer renderer, String key, String tenant, int n) throws InterruptedException {
    List<CompletableFuture<BatchingEngine.Completed<String>>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(engine.submit(key + ":" + tenant + "-" + i, tenant, Lane.BULK).result());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (renderer.batches.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(renderer.batches).as("the first batch started").hasSize(1);
    return futures;
  }

  @Test
  void aTenantsRequestIsNotQueuedBehindAnotherTenantsBacklog() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofMillis(50), "test")) {
      var a = backlog(engine, renderer, "k", "A", 2000);
      var b = engine.submit("k:B-0", "B", Lane.BULK);
      renderer.release.countDown();
      b.result().get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(a.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    // Batch 1 was running when B submitted; B's request goes into the next one.
    assertThat(renderer.batchOf("k:B-0")).isBetween(2, 3);
    // Sharing: the batch still fills with A's compatible work.
    assertThat(renderer.batches.get(renderer.batchOf("k:B-0") - 1)).hasSize(BATCH);
  }

  @Test
  void aTenantsIncompatibleRequestIsNotStarvedByAnotherTenantsFullBatches() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofMillis(5), "test")) {
      var a = backlog(engine, renderer, "small", "A", 2000);
      var b = engine.submit("large:B-0", "B", Lane.BULK);
      // Past the batch wait: B's lone request is due as a partial batch.
      Thread.sleep(20);
      renderer.release.countDown();
      b.result().get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(a.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    assertThat(renderer.batchOf("large:B-0")).isBetween(2, 3);
    assertThat(renderer.batches.get(renderer.batchOf("large:B-0") - 1)).containsExactly("large:B-0");
  }

  @Test
  void interactiveWorkGoesAheadOfTheSameTenantsBulkBacklog() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofMillis(50), "test")) {
      var a = backlog(engine, renderer, "k", "A", 2000);
      var now = engine.submit("k:A-interactive", "A", Lane.INTERACTIVE);
      renderer.release.countDown();
      now.result().get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(a.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    assertThat(renderer.batchOf("k:A-interactive")).isEqualTo(2);
  }

  @Test
  void tenantsWithBacklogsShareEveryBatch() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofSeconds(30), "test")) {
      var a = backlog(engine, renderer, "k", "A", 400);
      List<CompletableFuture<BatchingEngine.Completed<String>>> b = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        b.add(engine.submit("k:B-" + i, "B", Lane.BULK).result());
      }
      renderer.release.countDown();
      CompletableFuture.allOf(a.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      CompletableFuture.allOf(b.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    // Batches 2 to 51 (while both have work): half A, half B.
    assertThat(renderer.batches.subList(1, 51)).allSatisfy(batch ->
        assertThat(batch.stream().filter(r -> r.startsWith("k:B-")).count()).isEqualTo(BATCH / 2));
  }

  @Test
  void bulkWorkStillGetsBatchesWhileInteractiveWorkIsDue() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofSeconds(30), "test")) {
      var first = backlog(engine, renderer, "first", "A", BATCH);
      List<CompletableFuture<BatchingEngine.Completed<String>>> all = new ArrayList<>(first);
      for (int i = 0; i < 200; i++) {
        all.add(engine.submit("fast:A-" + i, "A", Lane.INTERACTIVE).result());
      }
      for (int i = 0; i < BATCH; i++) {
        all.add(engine.submit("slow:B-" + i, "B", Lane.BULK).result());
      }
      renderer.release.countDown();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    // At most BatchingEngine.INTERACTIVE_RUN interactive batches in a row while bulk work is due.
    assertThat(renderer.batchOf("slow:B-0")).isBetween(2, 2 + BatchingEngine.INTERACTIVE_RUN);
  }

  @Test
  void submitWithoutATenantKeepsArrivalOrder() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, BATCH, Duration.ofSeconds(30), "test")) {
      List<CompletableFuture<BatchingEngine.Completed<String>>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(engine.submit("k:" + i));
      }
      renderer.release.countDown();
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    List<String> order = renderer.batches.stream().flatMap(List::stream).toList();
    assertThat(order).isEqualTo(java.util.stream.IntStream.range(0, 40).mapToObj(i -> "k:" + i).toList());
  }

  @Test
  void startedCompletesWhenTheBatchStarts() throws Exception {
    GatedRenderer renderer = new GatedRenderer();
    try (var engine = new BatchingEngine<>(renderer, 1, Duration.ofSeconds(30), "test")) {
      backlog(engine, renderer, "k", "A", 1);
      var second = engine.submit("k:A-second", "A", Lane.BULK);
      assertThat(second.started()).isNotDone();
      renderer.release.countDown();
      second.started().get(10, TimeUnit.SECONDS);
      assertThat(second.result().get(10, TimeUnit.SECONDS).result()).isEqualTo("k:A-second");
    }
  }
}
