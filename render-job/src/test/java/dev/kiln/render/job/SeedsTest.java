package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

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
}
