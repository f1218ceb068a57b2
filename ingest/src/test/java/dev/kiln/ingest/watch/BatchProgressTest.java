package dev.kiln.ingest.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchProgressTest {
  @Test
  void countsOnlyTheTenantsOwnResultsOfABatchIdOthersUseToo() {
    BatchProgress progress = new BatchProgress("acme", "api");

    assertThat(progress.add(result("acme", "api", "r1-0", ResultStatus.PUBLISHED))).isTrue();
    assertThat(progress.add(result("globex", "api", "r1-0", ResultStatus.REJECTED))).isFalse();
    assertThat(progress.add(result("globex", "api", "r2-0", ResultStatus.PUBLISHED))).isFalse();
    assertThat(progress.add(result("acme", "other", "r3-0", ResultStatus.PUBLISHED))).isFalse();

    assertThat(progress.total()).isEqualTo(1);
    assertThat(progress.duplicates()).isZero();
    assertThat(progress.count(ResultStatus.PUBLISHED)).isEqualTo(1);
    assertThat(progress.count(ResultStatus.REJECTED)).isZero();
  }

  @Test
  void aSecondResultForAnImageIsADuplicateNotAnotherImage() {
    BatchProgress progress = new BatchProgress("acme", "b1");

    progress.add(result("acme", "b1", "r1-0", ResultStatus.PUBLISHED));
    progress.add(result("acme", "b1", "r1-0", ResultStatus.PUBLISHED));

    assertThat(progress.total()).isEqualTo(1);
    assertThat(progress.duplicates()).isEqualTo(1);
  }

  private static RenderResult result(String tenant, String batchId, String imageId, ResultStatus status) {
    return RenderResult.newBuilder().setRequestId(imageId).setImageId(imageId).setTenant(tenant).setBatchId(batchId)
        .setImageIndex(0).setImageCount(1).setStatus(status).setSubmittedAt(Instant.EPOCH)
        .setCompletedAt(Instant.EPOCH).build();
  }
}
