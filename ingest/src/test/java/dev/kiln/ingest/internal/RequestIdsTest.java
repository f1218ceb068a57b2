package dev.kiln.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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

  @Test
  void catalogueRowIdsAreTheSameForTheSameTenantBatchRowAndVariant() {
    assertThat(RequestIds.forCatalogueRow("retail", "nightly.20261122T0200Z", "A-17", 1L, 64, 64))
        .isEqualTo(RequestIds.forCatalogueRow("retail", "nightly.20261122T0200Z", "A-17", 1L, 64, 64))
        .matches("[0-9a-f]{24}");
  }

  @Test
  void catalogueRowIdsDifferForAnyOtherTenantBatchRowSeedOrSize() {
    String id = RequestIds.forCatalogueRow("retail", "b1", "A-17", 1L, 64, 64);

    assertThat(List.of(
        RequestIds.forCatalogueRow("other", "b1", "A-17", 1L, 64, 64),
        RequestIds.forCatalogueRow("retail", "b2", "A-17", 1L, 64, 64),
        RequestIds.forCatalogueRow("retail", "b1", "A-18", 1L, 64, 64),
        RequestIds.forCatalogueRow("retail", "b1", "A-17", 2L, 64, 64),
        RequestIds.forCatalogueRow("retail", "b1", "A-17", null, 64, 64),
        RequestIds.forCatalogueRow("retail", "b1", "A-17", 1L, 128, 64),
        RequestIds.forCatalogueRow("retail", "b1", "A-17", 1L, 64, 128)))
        .doesNotHaveDuplicates()
        .doesNotContain(id);
  }

  @Test
  void catalogueRowKeysCannotRunIntoTheBatchId() {
    assertThat(RequestIds.forCatalogueRow("t", "b1", "2", null, 64, 64))
        .isNotEqualTo(RequestIds.forCatalogueRow("t", "b", "12", null, 64, 64));
  }
}
