package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Rerenders;
import dev.kiln.wire.RawRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeRerendersTest {
  private OneInputStreamOperatorTestHarness<RawRecord, ImageTask> harness;

  /** Attempt 0 of image r1-1 as the render job staged it. */
  static RenderedImage staged() {
    return RenderedImage.newBuilder()
        .setImageId("r1-1").setRequestId("r1").setTenant("acme").setBatchId("b1").setImageIndex(1).setImageCount(2)
        .setBucket("kiln").setStagingKey("staging/acme/b1/r1-1.png").setSha256("ab".repeat(32)).setByteSize(10)
        .setParams(GenerationParams.newBuilder().setModel("kiln-tiny").setPrompt("a small red circle")
            .setWidth(64).setHeight(64).setSteps(20).setGuidanceScale(3f).setSeed(8).build())
        .setLabels(Map.of("row", "7"))
        .setSubmittedAt(Instant.ofEpochMilli(1_000)).setRenderedAt(Instant.ofEpochMilli(2_000)).setRenderMillis(5)
        .setRerenderNearDuplicates(true)
        .build();
  }

  static RawRecord raw(long offset, byte[] value) {
    return new RawRecord("kiln.rerenders", 0, offset, ("k" + offset).getBytes(StandardCharsets.UTF_8), value);
  }

  @BeforeEach
  void open() throws Exception {
    harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DecodeRerenders(Set.of("kiln-tiny"))));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  List<DeadLetter> deadLetters() {
    return harness.getSideOutput(DecodeRerenders.DEAD_LETTERS) == null ? List.of()
        : harness.getSideOutput(DecodeRerenders.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void turnsARerenderRecordIntoATaskWithItsAttemptAndSeed() throws Exception {
    RenderedImage rerender = Rerenders.next(Rerenders.next(staged()));
    harness.processElement(raw(1, Codecs.IMAGE.encode(rerender)), 0);

    assertThat(deadLetters()).isEmpty();
    ImageTask task = harness.extractOutputValues().get(0);
    assertThat(task.imageId).isEqualTo("r1-1");
    assertThat(task.imageIndex).isEqualTo(1);
    assertThat(task.attempt).isEqualTo(2);
    assertThat(task.seed).isEqualTo(Rerenders.seed("r1-1", 2));
    assertThat(task.rerenderNearDuplicates).isTrue();
    assertThat(task.request.getRequestId()).isEqualTo("r1");
    assertThat(task.request.getNumImages()).isEqualTo(2);
    assertThat(task.request.getPrompt()).isEqualTo("a small red circle");
    assertThat(task.request.getLabels()).isEqualTo(Map.of("row", "7"));
  }

  @Test
  void deadLettersUndecodableBytes() throws Exception {
    harness.processElement(raw(4, "junk".getBytes(StandardCharsets.UTF_8)), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    DeadLetter dl = deadLetters().get(0);
    assertThat(dl.getStage()).isEqualTo("decode");
    assertThat(dl.getSourceTopic()).isEqualTo("kiln.rerenders");
    assertThat(dl.getSourceOffset()).isEqualTo(4);
    assertThat(dl.getReason()).contains("not Avro single-object encoding");
  }

  @Test
  void deadLettersARecordThatIsNotARerenderNamingTheField() throws Exception {
    harness.processElement(raw(5, Codecs.IMAGE.encode(staged())), 0);

    assertThat(harness.extractOutputValues()).isEmpty();
    DeadLetter dl = deadLetters().get(0);
    assertThat(dl.getStage()).isEqualTo("validate");
    assertThat(dl.getReason()).contains("attempt: must be 1 or more on a re-render record").contains("got 0");
  }

  @Test
  void deadLettersAnImageIdThatDoesNotMatchItsRequestAndIndex() throws Exception {
    RenderedImage wrong = RenderedImage.newBuilder(Rerenders.next(staged())).setImageId("other-1").build();
    harness.processElement(raw(6, Codecs.IMAGE.encode(wrong)), 0);

    assertThat(deadLetters()).singleElement().satisfies(dl ->
        assertThat(dl.getReason()).contains("imageId: must be requestId-imageIndex \"r1-1\", got \"other-1\""));
  }

  @Test
  void deadLettersUnknownModels() throws Exception {
    RenderedImage rerender = Rerenders.next(staged());
    rerender.getParams().setModel("sdxl");
    harness.processElement(raw(7, Codecs.IMAGE.encode(rerender)), 0);

    assertThat(deadLetters()).singleElement().satisfies(dl -> {
      assertThat(dl.getStage()).isEqualTo("model");
      assertThat(dl.getReason()).contains("unknown model \"sdxl\"").contains("kiln-tiny");
    });
  }
}
