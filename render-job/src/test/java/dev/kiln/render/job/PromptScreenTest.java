package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptScreenTest {
  private OneInputStreamOperatorTestHarness<RenderRequest, RenderRequest> harness;

  @BeforeEach
  void open() throws Exception {
    harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new PromptScreen(null)));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  private List<RenderResult> rejected() {
    return harness.getSideOutput(PromptScreen.REJECTED) == null ? List.of()
        : harness.getSideOutput(PromptScreen.REJECTED).stream().map(StreamRecord::getValue).toList();
  }

  private static RenderRequest request(String prompt, String negativePrompt) {
    return DecodeRequestsTest.request("r1").setPrompt(prompt).setNegativePrompt(negativePrompt)
        .setNumImages(2).build();
  }

  @Test
  void passesAHarmlessPromptWithAHarmlessNegativePrompt() throws Exception {
    harness.processElement(request("a red circle", "blurry, low quality, watermark"), 0);

    assertThat(harness.extractOutputValues()).extracting(RenderRequest::getRequestId).containsExactly("r1");
    assertThat(rejected()).isEmpty();
  }

  @Test
  void rejectsEveryImageOfAForbiddenPrompt() throws Exception {
    harness.processElement(request("a nud3 figure", ""), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(rejected()).hasSize(2).allSatisfy(r -> {
      assertThat(r.getStatus()).isEqualTo(ResultStatus.REJECTED);
      assertThat(r.getVerdict().getCategory()).isEqualTo("prompt:sexual");
    });
  }

  /**
   * At guidance 0 the sampler follows the negative prompt alone, so it is a second prompt. A list
   * of things to avoid that names a blocked term is rejected too: the policy cannot tell the two
   * apart, and the user can drop the term.
   */
  @ParameterizedTest
  @ValueSource(strings = {"nude", "blurry, nude", "n.u.d.e", "desnuda"})
  void rejectsANegativePromptHoldingABlockedTerm(String negativePrompt) throws Exception {
    harness.processElement(request("a red circle", negativePrompt), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    assertThat(rejected()).hasSize(2).allSatisfy(r -> {
      assertThat(r.getStatus()).isEqualTo(ResultStatus.REJECTED);
      assertThat(r.getVerdict().getCategory()).isEqualTo("prompt:sexual");
      assertThat(r.getReason()).startsWith("negative prompt matches policy category \"sexual\"");
    });
  }
}
