package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.DeadLetter;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.wire.RawRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DecodeRequestsTest {
  private OneInputStreamOperatorTestHarness<RawRecord, RenderRequest> harness;

  static RenderRequest.Builder request(String id) {
    return RenderRequest.newBuilder().setRequestId(id).setTenant("acme").setBatchId("b1")
        .setPrompt("a small red circle on a white background").setSubmittedAt(Instant.ofEpochMilli(1_000));
  }

  static RawRecord raw(long offset, byte[] value) {
    return new RawRecord("kiln.requests", 0, offset, ("k" + offset).getBytes(StandardCharsets.UTF_8), value);
  }

  @BeforeEach
  void open() throws Exception {
    harness = new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new DecodeRequests(Set.of("kiln-tiny"))));
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  List<DeadLetter> deadLetters() {
    return harness.getSideOutput(DecodeRequests.DEAD_LETTERS) == null ? List.of()
        : harness.getSideOutput(DecodeRequests.DEAD_LETTERS).stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void passesValidRequestsOn() throws Exception {
    harness.processElement(raw(1, Codecs.REQUEST.encode(request("r1").build())), 0);
    assertThat(harness.extractOutputValues()).extracting(RenderRequest::getRequestId).containsExactly("r1");
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void deadLettersUndecodableBytesWithTheOriginalBytesAndPosition() throws Exception {
    byte[] junk = "not avro at all".getBytes(StandardCharsets.UTF_8);
    harness.processElement(raw(7, junk), 0);
    assertThat(harness.extractOutputValues()).isEmpty();
    DeadLetter dl = deadLetters().get(0);
    assertThat(dl.getStage()).isEqualTo("decode");
    assertThat(dl.getReason()).contains("not Avro single-object encoding");
    assertThat(dl.getSourceOffset()).isEqualTo(7);
    assertThat(dl.getValue().array()).isEqualTo(junk);
    assertThat(new String(dl.getKey().array(), StandardCharsets.UTF_8)).isEqualTo("k7");
  }

  @Test
  void deadLettersInvalidFieldsNamingThem() throws Exception {
    harness.processElement(raw(2, Codecs.REQUEST.encode(request("r2").setWidth(100).setSteps(0).build())), 0);
    DeadLetter dl = deadLetters().get(0);
    assertThat(dl.getStage()).isEqualTo("validate");
    assertThat(dl.getReason()).contains("width: must be a multiple of 8").contains("steps: must be 1..150");
  }

  @Test
  void deadLettersUnknownModelsListingTheAvailableOnes() throws Exception {
    harness.processElement(raw(3, Codecs.REQUEST.encode(request("r3").setModel("sdxl").build())), 0);
    DeadLetter dl = deadLetters().get(0);
    assertThat(dl.getStage()).isEqualTo("model");
    assertThat(dl.getReason()).contains("unknown model \"sdxl\"").contains("[kiln-tiny]");
  }

  @Test
  void deadLettersEmptyAndNullValues() throws Exception {
    harness.processElement(raw(4, new byte[0]), 0);
    harness.processElement(raw(5, null), 0);
    assertThat(deadLetters()).extracting(DeadLetter::getSourceOffset).containsExactly(4L, 5L);
    assertThat(harness.extractOutputValues()).isEmpty();
  }
}
