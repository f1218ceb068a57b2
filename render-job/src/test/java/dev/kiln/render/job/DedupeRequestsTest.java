package dev.kiln.render.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.RenderRequest;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DedupeRequestsTest {
  static KeyedOneInputStreamOperatorTestHarness<String, RenderRequest, RenderRequest> harness(Duration ttl)
      throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new DedupeRequests(ttl)),
        DedupeRequests::key, Types.STRING);
    h.open();
    return h;
  }

  static RenderRequest request(String tenant, String id) {
    return RenderRequest.newBuilder(DecodeRequestsTest.request(id).build()).setTenant(tenant).build();
  }

  @Test
  void dropsARequestIdSeenBefore() throws Exception {
    try (var h = harness(Duration.ofDays(7))) {
      h.processElement(request("acme", "r1"), 0);
      h.processElement(request("acme", "r2"), 0);
      h.processElement(request("acme", "r1"), 0);
      assertThat(h.extractOutputValues()).extracting(RenderRequest::getRequestId).containsExactly("r1", "r2");
    }
  }

  @Test
  void sameIdInAnotherTenantIsADifferentRequest() throws Exception {
    try (var h = harness(Duration.ofDays(7))) {
      h.processElement(request("acme", "r1"), 0);
      h.processElement(request("globex", "r1"), 0);
      assertThat(h.extractOutputValues()).extracting(RenderRequest::getTenant).containsExactly("acme", "globex");
    }
  }

  @Test
  void sameIdInAnotherBatchIsADifferentRequest() throws Exception {
    try (var h = harness(Duration.ofDays(7))) {
      h.processElement(request("acme", "r1"), 0);
      h.processElement(RenderRequest.newBuilder(request("acme", "r1")).setBatchId("next-night").build(), 0);
      h.processElement(RenderRequest.newBuilder(request("acme", "r1")).setBatchId("next-night").build(), 0);
      assertThat(h.extractOutputValues()).extracting(RenderRequest::getBatchId)
          .containsExactly(request("acme", "r1").getBatchId(), "next-night");
    }
  }

  @Test
  void forgetsIdsAfterTheTtl() throws Exception {
    try (var h = harness(Duration.ofMinutes(10))) {
      h.setStateTtlProcessingTime(0);
      h.processElement(request("acme", "r1"), 0);
      h.setStateTtlProcessingTime(Duration.ofMinutes(11).toMillis());
      h.processElement(request("acme", "r1"), 0);
      assertThat(h.extractOutputValues()).hasSize(2);
    }
  }

  @Test
  void remembersIdsAcrossARestoreFromSnapshot() throws Exception {
    org.apache.flink.runtime.checkpoint.OperatorSubtaskState state;
    try (var h = harness(Duration.ofDays(7))) {
      h.processElement(request("acme", "r1"), 0);
      state = h.snapshot(1, 1);
    }
    var restored = new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new DedupeRequests(Duration.ofDays(7))), DedupeRequests::key, Types.STRING);
    restored.initializeState(state);
    restored.open();
    restored.processElement(request("acme", "r1"), 0);
    assertThat(restored.extractOutputValues()).isEmpty();
    restored.close();
  }
}
