package dev.kiln.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
  @Test
  void theSameRequestGetsTheSameId() {
    assertThat(RequestIds.derive(request())).isEqualTo(RequestIds.derive(request())).matches("[0-9a-f]{24}");
  }

  @Test
  void everyGenerationParameterChangesTheId() {
    String id = RequestIds.derive(request());

    List<String> others = List.of(
        RequestIds.derive(request().setBatchId("b2")),
        RequestIds.derive(request().setPrompt("a red square")),
        RequestIds.derive(request().setNegativePrompt("blurry")),
        RequestIds.derive(request().setModel("kiln-small")),
        RequestIds.derive(request().setWidth(512)),
        RequestIds.derive(request().setHeight(512)),
        RequestIds.derive(request().setSteps(21)),
        RequestIds.derive(request().setGuidanceScale(3.5f)),
        RequestIds.derive(request().setSeed(8L)),
        RequestIds.derive(request().setSeed(null)),
        RequestIds.derive(request().setNumImages(2)),
        RequestIds.derive(request().setRerenderNearDuplicates(true)));

    assertThat(others).doesNotHaveDuplicates().doesNotContain(id);
  }

  @Test
  void labelsTenantAndSubmissionTimeDoNotChangeTheId() {
    String id = RequestIds.derive(request());

    assertThat(RequestIds.derive(request().setTenant("other").setLabels(Map.of("sku", "A-17"))
        .setSubmittedAt(Instant.parse("2026-12-01T00:00:00Z")))).isEqualTo(id);
  }

  @Test
  void fieldsCannotRunIntoEachOther() {
    assertThat(RequestIds.derive(request().setBatchId("b1").setPrompt("a")))
        .isNotEqualTo(RequestIds.derive(request().setBatchId("b").setPrompt("1a")));
  }

  private static RenderRequest.Builder request() {
    return RenderRequest.newBuilder()
        .setTenant("acme").setBatchId("b1").setPrompt("a red circle").setNegativePrompt("")
        .setModel("kiln-tiny").setWidth(64).setHeight(64).setSteps(20).setGuidanceScale(3.0f).setSeed(7L)
        .setNumImages(1).setSubmittedAt(Instant.EPOCH);
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
