package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.Rerenders;
import dev.kiln.schemas.Seeds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

class SeedsTest {
  @Test
  void derivesTheSameSeedFromTheSameImageId() {
    assertThat(Seeds.seedFor(null, "r1-0", 0)).isEqualTo(Seeds.seedFor(null, "r1-0", 0));
    assertThat(Seeds.seedFor(null, "r1-0", 0)).isNotEqualTo(Seeds.seedFor(null, "r1-1", 1));
    assertThat(Seeds.seedFor(null, "r1-0", 0)).isNotNegative();
  }

  @Test
  void offsetsARequestedSeedByTheImageIndex() {
    assertThat(Seeds.seedFor(7L, "r1-0", 0)).isEqualTo(7L);
    assertThat(Seeds.seedFor(7L, "r1-2", 2)).isEqualTo(9L);
    assertThat(Seeds.seedFor(Long.MAX_VALUE, "r1-1", 1)).isNotNegative();
  }

  @Test
  void imageIdIsRequestIdAndIndex() {
    assertThat(Seeds.imageId("req-9", 3)).isEqualTo("req-9-3");
  }

  @Test
  void aRerenderGetsASeedOtherThanTheFirstRendersAndTheTaskSaysWhichAttemptItIs() {
    long first = Seeds.seedFor(null, "r1-0", 0);
    assertThat(Rerenders.seed("r1-0", 1)).isNotEqualTo(first).isNotNegative();
    assertThat(Rerenders.seed("r1-0", 2)).isNotEqualTo(first).isNotEqualTo(Rerenders.seed("r1-0", 1));

    RenderRequest asked = RenderRequest.newBuilder().setRequestId("r1").setTenant("t").setBatchId("b")
        .setPrompt("p").setSubmittedAt(Instant.EPOCH).setRerenderNearDuplicates(true).build();
    List<ImageTask> tasks = new ArrayList<>();
    new ExpandImages().flatMap(asked, new ListCollector<>(tasks));
    assertThat(tasks).singleElement().satisfies(t -> {
      assertThat(t.attempt).isZero();
      assertThat(t.rerenderNearDuplicates).isTrue();
      assertThat(t.seed).isEqualTo(first);
    });
  }
}
