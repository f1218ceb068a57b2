package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  static RenderResult result(String imageId, ResultStatus status) {
    return RenderResult.newBuilder().setRequestId(imageId).setImageId(imageId).setTenant("t").setBatchId("b1")
        .setImageIndex(0).setImageCount(1).setStatus(status).setSubmittedAt(Instant.EPOCH)
        .setCompletedAt(Instant.EPOCH).build();
  }

  @Test
  void showsBarCountsRateAndEta() {
    AtomicLong now = new AtomicLong();
    BatchProgress progress = new BatchProgress("t", "b1");
    ProgressLine line = new ProgressLine(progress, 10, now::get);
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(result("b", ResultStatus.PUBLISHED));
    progress.add(result("c", ResultStatus.REJECTED));
    progress.add(result("d", ResultStatus.FAILED));
    now.set(2_000_000_000L);
    assertThat(line.render()).isEqualTo(
        "b1 [############..................]  40% 4/10 (published 2, rejected 1, failed 1) 2.0/s ETA 3s");
  }

  @Test
  void reachesOneHundredPercentAndSaysDone() {
    AtomicLong now = new AtomicLong();
    BatchProgress progress = new BatchProgress("t", "b1");
    ProgressLine line = new ProgressLine(progress, 2, now::get);
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(result("b", ResultStatus.PUBLISHED));
    progress.add(result("b", ResultStatus.PUBLISHED));
    now.set(1_000_000_000L);
    assertThat(line.render()).startsWith("b1 [##############################] 100% 2/2").endsWith("done");
    assertThat(progress.duplicates()).isEqualTo(1);
  }

  @Test
  void withoutATotalShowsCountsOnly() {
    BatchProgress progress = new BatchProgress("t", "b1");
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(RenderResult.newBuilder(result("x", ResultStatus.PUBLISHED)).setBatchId("other").build());
    assertThat(new ProgressLine(progress, null, () -> 0L).render())
        .isEqualTo("b1: 1 results (published 1, rejected 0, failed 0) 0.0/s");
  }

  @Test
  void showsDuplicateResultsWhenThereAreAny() {
    AtomicLong now = new AtomicLong();
    BatchProgress progress = new BatchProgress("t", "b1");
    ProgressLine line = new ProgressLine(progress, 4, now::get);
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(result("b", ResultStatus.REJECTED));
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(result("a", ResultStatus.PUBLISHED));
    progress.add(result("b", ResultStatus.REJECTED));
    now.set(1_000_000_000L);
    assertThat(line.render()).isEqualTo(
        "b1 [###############...............]  50% 2/4 (published 1, rejected 1, failed 0, duplicates 3) 2.0/s ETA 1s");
  }

  @Test
  void showsDuplicateResultsWithoutATotalToo() {
    BatchProgress progress = new BatchProgress("t", "b1");
    progress.add(result("a", ResultStatus.FAILED));
    progress.add(result("a", ResultStatus.PUBLISHED));
    assertThat(new ProgressLine(progress, null, () -> 0L).render())
        .isEqualTo("b1: 1 results (published 0, rejected 0, failed 1, duplicates 1) 0.0/s");
  }
}
