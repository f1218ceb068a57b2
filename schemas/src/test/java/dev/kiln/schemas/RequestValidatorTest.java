package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
  static RenderRequest.Builder valid() {
    return RenderRequest.newBuilder(CodecsTest.request());
  }

  static List<String> fields(RenderRequest r) {
    return RequestValidator.validate(r).stream().map(FieldError::field).toList();
  }

  @Test
  void acceptsAValidRequest() {
    assertThat(RequestValidator.validate(valid().build())).isEmpty();
  }

  @Test
  void namesEveryBadField() {
    RenderRequest bad = valid()
        .setRequestId("has space").setTenant("../etc").setBatchId("..").setPrompt("  ")
        .setModel("Kiln Tiny").setWidth(100).setHeight(2048).setSteps(0).setGuidanceScale(Float.NaN)
        .setSeed(-1L).setNumImages(17).setLabels(Map.of("bad key", "v")).setSubmittedAt(Instant.EPOCH)
        .build();
    assertThat(fields(bad)).containsExactly("requestId", "tenant", "batchId", "prompt", "model", "width", "height",
        "steps", "guidanceScale", "seed", "numImages", "labels", "submittedAt");
  }

  @Test
  void widthErrorSaysWhatIsAllowed() {
    FieldError e = RequestValidator.validate(valid().setWidth(100).build()).get(0);
    assertThat(e.toString()).isEqualTo("width: must be a multiple of 8 from 32 to 1024, got 100");
  }

  @Test
  void rejectsTenantThatEscapesItsPrefix() {
    for (String tenant : List.of("..", ".", "a/b", "../x", "", "a\\b")) {
      assertThat(fields(valid().setTenant(tenant).build())).as(tenant).containsExactly("tenant");
    }
  }

  @Test
  void rejectsControlCharactersInPrompt() {
    assertThat(fields(valid().setPrompt("red\u0000circle").build())).containsExactly("prompt");
  }
}
