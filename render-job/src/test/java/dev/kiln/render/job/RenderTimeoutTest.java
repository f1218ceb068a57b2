package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.render.batching.BatchingEngine;
import dev.kiln.render.batching.BatchingEngine.Completed;
import dev.kiln.render.batching.BatchingEngine.Submission;
import dev.kiln.schemas.Priority;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The render timeout counts from the start of the image's batch, not from when it was queued. */
class RenderTimeoutTest {
  @Test
  void timeSpentQueuedDoesNotCount() throws Exception {
    var submitted = new Submission<String>(new CompletableFuture<>(), new CompletableFuture<>());
    CompletableFuture<Completed<String>> result = RenderFunction.withinAfterStart(submitted, Duration.ofMillis(50));
    // Queued for six render timeouts, then the batch starts and finishes at once.
    Thread.sleep(300);
    assertThat(result).isNotDone();
    submitted.started().complete(null);
    submitted.result().complete(new Completed<>("image", 300, 1, 8));
    assertThat(result.get(5, TimeUnit.SECONDS).result()).isEqualTo("image");
  }

  @Test
  void aBatchThatRunsPastTheTimeoutFailsItsImage() {
    var submitted = new Submission<String>(new CompletableFuture<>(), new CompletableFuture<>());
    CompletableFuture<Completed<String>> result = RenderFunction.withinAfterStart(submitted, Duration.ofMillis(50));
    submitted.started().complete(null);
    assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
    // The engine's own future is left alone: a late result is simply not used.
    assertThat(submitted.result()).isNotDone();
  }

  @Test
  void theOperatorTimeoutCoversTheDeepestQueueAtTheRenderTimeoutPerBatch() {
    var config = new org.apache.flink.configuration.Configuration();
    assertThat(RenderJobOptions.asyncCapacity(config)).isEqualTo(4096);
    // 4096 in flight, batches of 8: 512 batches ahead at most, plus the image's own.
    assertThat(RenderJobOptions.operatorTimeout(config)).isEqualTo(Duration.ofMinutes(10).multipliedBy(513));
    config.set(RenderJobOptions.ASYNC_CAPACITY, 2);
    assertThat(RenderJobOptions.asyncCapacity(config)).isEqualTo(8);
    assertThat(RenderJobOptions.operatorTimeout(config)).isEqualTo(Duration.ofMinutes(20));
  }

  @Test
  void interactiveRequestsGoToTheInteractiveLane() {
    assertThat(RenderFunction.lane(Priority.INTERACTIVE)).isEqualTo(BatchingEngine.Lane.INTERACTIVE);
    assertThat(RenderFunction.lane(Priority.BULK)).isEqualTo(BatchingEngine.Lane.BULK);
  }
}
