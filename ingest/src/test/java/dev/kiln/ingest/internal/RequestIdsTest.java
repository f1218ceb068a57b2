package dev.kiln.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void sameBatchPromptAndSeedGiveTheSameId() {
    assertThat(RequestIds.derive("b1", "a red circle", 7L))
        .isEqualTo(RequestIds.derive("b1", "a red circle", 7L))
        .matches("[0-9a-f]{24}");
  }

  @Test
  void anyDifferenceGivesADifferentId() {
    String id = RequestIds.derive("b1", "a red circle", 7L);

    assertThat(RequestIds.derive("b1", "a red circle", 8L)).isNotEqualTo(id);
    assertThat(RequestIds.derive("b1", "a red circle", null)).isNotEqualTo(id);
    assertThat(RequestIds.derive("b2", "a red circle", 7L)).isNotEqualTo(id);
    assertThat(RequestIds.derive("b1", "a red square", 7L)).isNotEqualTo(id);
  }

  @Test
  void fieldsCannotRunIntoEachOther() {
    assertThat(RequestIds.derive("b1", "a", null)).isNotEqualTo(RequestIds.derive("b", "1a", null));
  }
}
