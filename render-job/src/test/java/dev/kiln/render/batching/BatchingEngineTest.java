package dev.kiln.render.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchingEngineTest {
  /** Renders "key:value" strings by upper-casing them and records every batch it saw. */
  static final class RecordingRenderer implements BatchRenderer<String, String> {
    final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

    @Override
    public Object batchKey(String request) {
      return request.substring(0, request.indexOf(':'));
    }

    @Override
    public List<String> render(List<String> batch) {
      batches.add(List.copyOf(batch));
      if (batch.stream().anyMatch(s -> s.contains("boom"))) {
        throw new IllegalStateException("model exploded");
      }
      return batch.stream().map(String::toUpperCase).toList();
    }
  }

  static List<CompletableFuture<BatchingEngine.Completed<String>>> submitAll(
      BatchingEngine<String, String> engine, List<String> requests) {
    return requests.stream().map(engine::submit).toList();
  }

  @Test
  void fillsBatchesUpToTheBatchSize() throws Exception {
    RecordingRenderer renderer = new RecordingRenderer();
    try (var engine = new BatchingEngine<>(renderer, 4, Duration.ofSeconds(30), "test")) {
      var futures = submitAll(engine, List.of("a:1", "a:2", "a:3", "a:4", "a:5", "a:6", "a:7", "a:8"));
      for (int i = 0; i < futures.size(); i++) {
        var done = futures.get(i).get(10, TimeUnit.SECONDS);
        assertThat(done.result()).isEqualTo("A:" + (i + 1));
        assertThat(done.batchSize()).isEqualTo(4);
      }
    }
    assertThat(renderer.batches).extracting(List::size).containsExactly(4, 4);
  }

  @Test
  void runsAPartialBatchOnceTheOldestRequestHasWaited() throws Exception {
    RecordingRenderer renderer = new RecordingRenderer();
    try (var engine = new BatchingEngine<>(renderer, 8, Duration.ofMillis(20), "test")) {
      var futures = submitAll(engine, List.of("a:1", "a:2", "a:3"));
      for (var f : futures) {
        assertThat(f.get(10, TimeUnit.SECONDS).result()).startsWith("A:");
      }
    }
    assertThat(renderer.batches.stream().mapToInt(List::size).sum()).isEqualTo(3);
    assertThat(renderer.batches).allSatisfy(b -> assertThat(b.size()).isLessThan(8));
  }

  @Test
  void neverMixesIncompatibleRequestsInOneBatch() throws Exception {
    RecordingRenderer renderer = new RecordingRenderer();
    try (var engine = new BatchingEngine<>(renderer, 4, Duration.ofMillis(5), "test")) {
      List<String> requests = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        requests.add((i % 3 == 0 ? "x" : "y") + ":" + i);
      }
      for (var f : submitAll(engine, requests)) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(renderer.batches).allSatisfy(batch ->
        assertThat(batch).extracting(s -> s.charAt(0)).containsOnly(batch.get(0).charAt(0)));
    assertThat(renderer.batches.stream().mapToInt(List::size).sum()).isEqualTo(12);
  }

  @Test
  void aFailedBatchFailsOnlyItsOwnRequests() throws Exception {
    RecordingRenderer renderer = new RecordingRenderer();
    try (var engine = new BatchingEngine<>(renderer, 2, Duration.ofSeconds(30), "test")) {
      var bad = submitAll(engine, List.of("a:boom", "a:2"));
      var good = submitAll(engine, List.of("b:3", "b:4"));
      for (var f : bad) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class).hasMessageContaining("model exploded");
      }
      for (var f : good) {
        assertThat(f.get(10, TimeUnit.SECONDS).result()).startsWith("B:");
      }
      assertThat(engine.failed()).isEqualTo(2);
      assertThat(engine.rendered()).isEqualTo(2);
    }
  }

  @Test
  void closeRunsWhatIsQueuedAndRefusesMore() throws Exception {
    RecordingRenderer renderer = new RecordingRenderer();
    var engine = new BatchingEngine<>(renderer, 8, Duration.ofHours(1), "test");
    var queued = engine.submit("a:1");
    engine.close();
    assertThat(queued.get(10, TimeUnit.SECONDS).result()).isEqualTo("A:1");
    assertThatThrownBy(() -> engine.submit("a:2").get(10, TimeUnit.SECONDS)).hasMessageContaining("closed");
  }

  /** One batch key for everything; records the most batches that were inside render at once. */
  static final class OverlapRenderer implements BatchRenderer<String, String> {
    interface WhileRunning {
      void run() throws InterruptedException;
    }

    final AtomicInteger mostAtOnce = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final WhileRunning whileRunning;

    OverlapRenderer(WhileRunning whileRunning) {
      this.whileRunning = whileRunning;
    }

    @Override
    public Object batchKey(String request) {
      return "all";
    }

    @Override
    public List<String> render(List<String> batch) {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        whileRunning.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      running.decrementAndGet();
      return batch.stream().map(String::toUpperCase).toList();
    }
  }

  /** With two workers, a second batch starts while the first is still running. */
  @Test
  void twoWorkersRunTwoBatchesAtOnce() throws Exception {
    CountDownLatch bothRunning = new CountDownLatch(2);
    OverlapRenderer renderer = new OverlapRenderer(() -> {
      bothRunning.countDown();
      // Waits for the other batch; with one worker it never comes, and the wait times out.
      bothRunning.await(5, TimeUnit.SECONDS);
    });
    try (var engine = new BatchingEngine<>(renderer, 2, Duration.ofSeconds(30), 2, "test")) {
      assertThat(engine.workers()).isEqualTo(2);
      var futures = submitAll(engine, List.of("a:1", "a:2", "a:3", "a:4"));
      for (var f : futures) {
        assertThat(f.get(10, TimeUnit.SECONDS).result()).startsWith("A:");
      }
    }
    assertThat(renderer.mostAtOnce.get()).isEqualTo(2);
  }

  @Test
  void oneWorkerRunsBatchesOneAfterAnother() throws Exception {
    OverlapRenderer renderer = new OverlapRenderer(() -> Thread.sleep(50));
    try (var engine = new BatchingEngine<>(renderer, 2, Duration.ofSeconds(30), "test")) {
      var futures = submitAll(engine, List.of("a:1", "a:2", "a:3", "a:4"));
      for (var f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(renderer.mostAtOnce.get()).isEqualTo(1);
  }

  @Test
  void rejectsFewerThanOneWorker() {
    assertThatThrownBy(() -> new BatchingEngine<>(new RecordingRenderer(), 8, Duration.ZERO, 0, "test"))
        .hasMessage("workers must be at least 1, got 0");
  }

  @Test
  void rejectsABatchSizeBelowOne() {
    assertThatThrownBy(() -> new BatchingEngine<>(new RecordingRenderer(), 0, Duration.ZERO, "test"))
        .hasMessageContaining("maxBatch must be at least 1");
  }
}
