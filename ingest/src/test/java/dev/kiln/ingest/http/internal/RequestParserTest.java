package dev.kiln.ingest.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.ingest.http.internal.ApiException.FieldProblem;
import dev.kiln.ingest.http.internal.RequestParser.Parsed;
import dev.kiln.schemas.Priority;
import dev.kiln.schemas.RenderRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestParserTest {
  static final Instant NOW = Instant.parse("2026-11-22T00:15:30Z");

  static JsonNode json(String text) {
    return RequestParser.parseBody(text.getBytes(StandardCharsets.UTF_8));
  }

  static List<JsonNode> items(String array) {
    List<JsonNode> items = new ArrayList<>();
    json(array).forEach(items::add);
    return items;
  }

  @Test
  void aSingleRequestIsInteractiveAndABatchIsBulk() {
    assertThat(RequestParser.single(json("{\"prompt\": \"a\"}"), "acme", NOW).requests().get(0).getPriority())
        .isEqualTo(Priority.INTERACTIVE);
    assertThat(RequestParser.batch(items("[{\"prompt\": \"a\"}]"), "acme", "b1", NOW).requests().get(0)
        .getPriority()).isEqualTo(Priority.BULK);
    assertThat(RequestParser.single(json("{\"prompt\": \"a\", \"priority\": \"INTERACTIVE\"}"), "acme", NOW)
        .problems()).extracting(FieldProblem::field).containsExactly("priority");
  }

  @Test
  void fillsTheSchemaDefaultsAndTheKeysTenant() {
    Parsed parsed = RequestParser.single(json("{\"prompt\": \"a red circle\"}"), "acme", NOW);

    RenderRequest r = parsed.requests().get(0);
    assertThat(parsed.problems()).isEmpty();
    assertThat(r.getTenant()).isEqualTo("acme");
    assertThat(r.getBatchId()).isEqualTo("api");
    assertThat(r.getModel()).isEqualTo("kiln-tiny");
    assertThat(r.getWidth()).isEqualTo(64);
    assertThat(r.getSteps()).isEqualTo(20);
    assertThat(r.getGuidanceScale()).isEqualTo(3.0f);
    assertThat(r.getNumImages()).isEqualTo(1);
    assertThat(r.getSeed()).isNull();
    assertThat(r.getSubmittedAt()).isEqualTo(NOW);
  }

  @Test
  void namesEachInvalidFieldWithTheValidatorsMessage() {
    Parsed parsed = RequestParser.single(json("{\"prompt\": \"\", \"height\": 33, \"labels\": {\"k\": 1},"
        + " \"guidanceScale\": 99}"), "acme", NOW);

    assertThat(parsed.requests()).isEmpty();
    assertThat(parsed.problems()).containsExactly(
        new FieldProblem(null, "labels.k", "expected a string, got 1"),
        new FieldProblem(null, "prompt", "must not be empty"),
        new FieldProblem(null, "height", "must be a multiple of 8 from 32 to 1024, got 33"),
        new FieldProblem(null, "guidanceScale", "must be 0..30.0 (1 or less skips the unconditional pass), got 99.0"));
  }

  @Test
  void aBatchNamesTheIndexOfEveryProblemAndOfDuplicateIds() {
    Parsed parsed = RequestParser.batch(items("[{\"prompt\": \"a\", \"requestId\": \"x\"}, 7,"
        + " {\"prompt\": \"b\", \"batchId\": \"other\"}, {\"prompt\": \"c\", \"requestId\": \"x\"}]"),
        "acme", "spring", NOW);

    assertThat(parsed.requests()).isEmpty();
    assertThat(parsed.problems()).containsExactly(
        new FieldProblem(1, null, "expected a JSON object of request fields, got 7"),
        new FieldProblem(2, "batchId", "must be absent or the batch's batchId \"spring\", got \"other\""),
        new FieldProblem(3, "requestId", "duplicate \"x\", also at index 0"));
  }

  @Test
  void aBatchOfValidRequestsKeepsItsOrderAndBatch() {
    Parsed parsed = RequestParser.batch(items("[{\"prompt\": \"a\"}, {\"prompt\": \"b\", \"seed\": 3}]"),
        "acme", "spring", NOW);

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.requests()).extracting(RenderRequest::getPrompt).containsExactly("a", "b");
    assertThat(parsed.requests()).extracting(RenderRequest::getBatchId).containsOnly("spring");
  }

  @Test
  void derivesItsIdFromEveryGenerationParameterAsKilnSubmitDoes() {
    RenderRequest http = RequestParser.single(json("{\"prompt\": \"a\", \"seed\": 3, \"batchId\": \"b1\"}"),
        "acme", NOW).requests().get(0);
    RenderRequest larger = RequestParser.single(
        json("{\"prompt\": \"a\", \"seed\": 3, \"batchId\": \"b1\", \"width\": 512, \"height\": 512}"),
        "acme", NOW).requests().get(0);

    assertThat(http.getRequestId()).isEqualTo(dev.kiln.ingest.internal.RequestIds.derive(
        RenderRequest.newBuilder(http).clearRequestId()));
    assertThat(larger.getRequestId()).isNotEqualTo(http.getRequestId());
  }

  @Test
  void malformedJsonSaysLineAndColumn() {
    assertThatThrownBy(() -> json("{\"prompt\": \"a\",\n \"prompt\": \"b\"}"))
        .isInstanceOf(ApiException.class)
        .hasMessageStartingWith("invalid JSON at line 2, column 10: Duplicate field 'prompt'");
    assertThatThrownBy(() -> json("{\"prompt\": \"a\"} trailing"))
        .hasMessageStartingWith("invalid JSON at line 1, column");
    assertThatThrownBy(() -> json(""))
        .hasMessage("empty body: expected a JSON object, e.g. {\"prompt\": \"a red circle\"}");
  }
}
