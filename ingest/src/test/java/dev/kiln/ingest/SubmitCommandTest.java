package dev.kiln.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.schemas.Codecs;
import dev.kiln.schemas.InvalidRecordException;
import dev.kiln.schemas.RenderRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SubmitCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-22T00:15:30Z");
  private static final String BATCH = "b-20261122-001530";
  private static final String ALLOWED = "allowed fields: requestId, tenant, batchId, prompt, "
      + "negativePrompt, model, width, height, steps, guidanceScale, seed, numImages, labels, rerenderNearDuplicates";

  @TempDir Path dir;

  private final List<MockProducer<byte[], byte[]>> producers = new ArrayList<>();
  private final List<Map<String, Object>> producerConfigs = new ArrayList<>();
  private RuntimeException sendException;
  private StringWriter out;
  private StringWriter err;

  private int submit(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = new CommandLine(new SubmitCommand(config -> {
      MockProducer<byte[], byte[]> producer =
          new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
      producer.sendException = sendException;
      producerConfigs.add(config);
      producers.add(producer);
      return producer;
    }, Clock.fixed(NOW, ZoneOffset.UTC)));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private List<ProducerRecord<byte[], byte[]>> sent() {
    return producers.stream().flatMap(p -> p.history().stream()).toList();
  }

  private List<RenderRequest> published() {
    List<RenderRequest> requests = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> record : sent()) {
      try {
        requests.add(Codecs.REQUEST.decode(record.value()));
      } catch (InvalidRecordException e) {
        throw new AssertionError("published value does not decode: " + e.getMessage(), e);
      }
    }
    return requests;
  }

  private Path file(String... lines) throws IOException {
    Path file = dir.resolve("requests.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void publishesOnePromptWithTheSchemaDefaultsAndPrintsTheBatchId() {
    int exit = submit("--prompt", "a large red circle on a blue background");

    assertThat(exit).isZero();
    RenderRequest expected = RenderRequest.newBuilder()
        .setRequestId(published().get(0).getRequestId())
        .setTenant("local")
        .setBatchId(BATCH)
        .setPrompt("a large red circle on a blue background")
        .setSubmittedAt(NOW)
        .build();
    assertThat(published()).containsExactly(expected);
    assertThat(out.toString()).isEqualTo(
        "published 1 request to kiln.requests (batch " + BATCH + ", tenant local)\n" + BATCH + "\n");
    assertThat(producers.get(0).closed()).isTrue();
  }

  @Test
  void setsEveryFieldFromItsOption() {
    int exit = submit("--prompt", "a snake", "--tenant", "acme", "--batch-id", "spring",
        "--model", "kiln-tiny", "--width", "128", "--height", "96", "--steps", "8", "--guidance", "1.5",
        "--seed", "42", "--negative-prompt", "blurry", "--num-images", "3", "--label", "campaign=spring",
        "--label", "sku=123", "--request-id", "snake-1", "--topic", "other.requests");

    assertThat(exit).as(err.toString()).isZero();
    RenderRequest r = published().get(0);
    assertThat(r.getTenant()).isEqualTo("acme");
    assertThat(r.getBatchId()).isEqualTo("spring");
    assertThat(List.of(r.getWidth(), r.getHeight(), r.getSteps(), r.getNumImages())).containsExactly(128, 96, 8, 3);
    assertThat(r.getGuidanceScale()).isEqualTo(1.5f);
    assertThat(r.getSeed()).isEqualTo(42L);
    assertThat(r.getNegativePrompt()).isEqualTo("blurry");
    assertThat(r.getLabels()).containsExactly(Map.entry("campaign", "spring"), Map.entry("sku", "123"));
    assertThat(r.getRequestId()).isEqualTo("snake-1");
    assertThat(sent().get(0).topic()).isEqualTo("other.requests");
    assertThat(new String(sent().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("snake-1");
  }

  @Test
  void derivesTheSameRequestIdFromTheSameBatchPromptAndSeed() {
    submit("--prompt", "classic car", "--batch-id", "b1", "--seed", "7");
    submit("--prompt", "classic car", "--batch-id", "b1", "--seed", "7");
    submit("--prompt", "classic car", "--batch-id", "b1", "--seed", "8");
    submit("--prompt", "classic car", "--batch-id", "b2", "--seed", "7");

    List<String> ids = published().stream().map(RenderRequest::getRequestId).toList();
    assertThat(ids.get(0)).matches("[0-9a-f]{24}").isEqualTo(ids.get(1));
    assertThat(ids.get(2)).isNotEqualTo(ids.get(0));
    assertThat(ids.get(3)).isNotEqualTo(ids.get(0));
  }

  @Test
  void theSamePromptAtAnotherSizeOrStepCountIsANewRequestNotARepeat() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\", \"seed\": 1}",
        "{\"prompt\": \"a red circle\", \"seed\": 1, \"width\": 512, \"height\": 512}",
        "{\"prompt\": \"a red circle\", \"seed\": 1, \"steps\": 30}",
        "{\"prompt\": \"a red circle\", \"seed\": 1, \"negativePrompt\": \"blurry\"}");

    int exit = submit("--file", file.toString(), "--batch-id", "b1");

    assertThat(exit).isZero();
    assertThat(published()).extracting(RenderRequest::getRequestId).hasSize(4).doesNotHaveDuplicates();
  }

  @Test
  void publishesEveryLineOfAFileKeyedByRequestIdWithLineValuesOverOptions() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\"}",
        "",
        "{\"prompt\": \"a blue square\", \"requestId\": \"sq-1\", \"width\": 128, \"tenant\": \"acme\","
            + " \"labels\": {\"sku\": \"9\"}, \"seed\": null, \"guidanceScale\": 2}");

    int exit = submit("--file", file.toString(), "--batch-id", "cat", "--steps", "8", "--label", "campaign=x",
        "--label", "sku=1");

    assertThat(exit).as(err.toString()).isZero();
    List<RenderRequest> requests = published();
    assertThat(requests).extracting(RenderRequest::getPrompt).containsExactly("a red circle", "a blue square");
    assertThat(sent()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
        .containsExactly(requests.get(0).getRequestId(), "sq-1");
    RenderRequest first = requests.get(0);
    assertThat(first.getTenant()).isEqualTo("local");
    assertThat(first.getWidth()).isEqualTo(64);
    assertThat(first.getSteps()).isEqualTo(8);
    assertThat(first.getLabels()).containsExactly(Map.entry("campaign", "x"), Map.entry("sku", "1"));
    RenderRequest second = requests.get(1);
    assertThat(second.getTenant()).isEqualTo("acme");
    assertThat(second.getWidth()).isEqualTo(128);
    assertThat(second.getGuidanceScale()).isEqualTo(2f);
    assertThat(second.getLabels()).containsExactly(Map.entry("campaign", "x"), Map.entry("sku", "9"));
    assertThat(out.toString()).isEqualTo(
        "published 2 requests to kiln.requests (batch cat; tenants acme, local)\ncat\n");
  }

  @Test
  void reportsABadLineWithFileLineAndFieldAndPublishesNothing() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\"}",
        "{\"prompt\": \"a blue square\", \"width\": 100}");

    int exit = submit("--file", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(
        file + ":2: field \"width\": must be a multiple of 8 from 32 to 1024, got 100\n"
            + "1 error; nothing published\n");
    assertThat(producers).as("no producer is even created").isEmpty();
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void reportsEveryErrorInTheFileNotJustTheFirst() throws IOException {
    Path file = file(
        "{\"prompt\": \"ok\"}",
        "{\"prompt\": \"x\", \"steps\": \"20\", \"seed\": 1.5, \"labels\": {\"a\": 1}}",
        "{\"prompt\": \"y\",}",
        "[\"prompt\"]",
        "{\"width\": 64}",
        "{\"prompt\": \"z\", \"tenant\": \"../etc\", \"numImages\": 99}");

    int exit = submit("--file", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        file + ":2: field \"steps\": expected an integer, got \"20\"",
        file + ":2: field \"seed\": expected an integer, or null to derive it from the image id, got 1.5",
        file + ":2: field \"labels.a\": expected a string, got 1",
        file + ":3: invalid JSON: Unexpected character ('}' (code 125)): was expecting double-quote to"
            + " start field name (column 16)",
        file + ":4: expected a JSON object of request fields, got an array [\"prompt\"]",
        file + ":5: field \"prompt\": required, e.g. {\"prompt\": \"a red circle\"}",
        file + ":6: field \"tenant\": must be 1-64 characters of A-Z a-z 0-9 . _ -, got \"../etc\"",
        file + ":6: field \"numImages\": must be 1..16, got 99",
        "8 errors; nothing published");
    assertThat(sent()).isEmpty();
  }

  @Test
  void aLineCanAskForNearDuplicatesToBeRerendered() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\", \"rerenderNearDuplicates\": true}",
        "{\"prompt\": \"a blue square\"}");

    int exit = submit("--file", file.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(published()).extracting(RenderRequest::getRerenderNearDuplicates).containsExactly(true, false);
  }

  @Test
  void theOptionAsksForEveryLineThatDoesNotSayOtherwise() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\"}",
        "{\"prompt\": \"a blue square\", \"rerenderNearDuplicates\": false}");

    int exit = submit("--file", file.toString(), "--rerender-near-duplicates");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(published()).extracting(RenderRequest::getRerenderNearDuplicates).containsExactly(true, false);
  }

  @Test
  void aRerenderNearDuplicatesThatIsNotABooleanIsAnErrorNamingTheField() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\", \"rerenderNearDuplicates\": \"yes\"}",
        "{\"prompt\": \"a blue square\", \"rerenderNearDuplicates\": 1}");

    int exit = submit("--file", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        file + ":1: field \"rerenderNearDuplicates\": expected true or false, got \"yes\"",
        file + ":2: field \"rerenderNearDuplicates\": expected true or false, got 1",
        "2 errors; nothing published");
    assertThat(producers).as("no producer is even created").isEmpty();
  }

  @Test
  void namesAnUnknownFieldAndListsTheAllowedFields() throws IOException {
    Path file = file("{\"prompt\": \"a red circle\", \"widht\": 64}");

    int exit = submit("--file", file.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + ":1: unknown field \"widht\"; " + ALLOWED + "\n");
  }

  @Test
  void reportsDuplicateRequestIdsNamingBothLines() throws IOException {
    Path file = file(
        "{\"prompt\": \"a red circle\"}",
        "{\"prompt\": \"a blue square\", \"requestId\": \"r1\"}",
        "{\"prompt\": \"a red circle\", \"width\": 64}",
        "{\"prompt\": \"a green star\", \"requestId\": \"r1\"}");

    int exit = submit("--file", file.toString(), "--batch-id", "b1");

    assertThat(exit).isEqualTo(2);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).matches(java.util.regex.Pattern.quote(file + ":3: field \"requestId\": duplicate \"")
        + "[0-9a-f]{24}" + java.util.regex.Pattern.quote("\", also on line 1 (derived from the batch id and every"
        + " generation parameter: set requestId or seed on one of the lines)"));
    assertThat(lines.subList(1, 3)).containsExactly(
        file + ":4: field \"requestId\": duplicate \"r1\", also on line 2",
        "2 errors; nothing published");
    assertThat(sent()).isEmpty();
  }

  @Test
  void reportsAnInvalidOptionOnceUnderItsNameRatherThanOnEveryLine() throws IOException {
    Path file = file("{\"prompt\": \"a\"}", "{\"prompt\": \"b\"}", "{\"prompt\": \"c\", \"width\": 100}");

    int exit = submit("--file", file.toString(), "--width", "100");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        "--width: must be a multiple of 8 from 32 to 1024, got 100",
        file + ":3: field \"width\": must be a multiple of 8 from 32 to 1024, got 100",
        "2 errors; nothing published");
  }

  @Test
  void reportsAnInvalidPromptRequestUnderTheOptionNames() {
    int exit = submit("--prompt", "x", "--width", "100", "--steps", "0", "--label", "bad key=1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        "--width: must be a multiple of 8 from 32 to 1024, got 100",
        "--steps: must be 1..150, got 0",
        "--label: label key must match [A-Za-z0-9._-]{1,64}, got \"bad key\"",
        "3 errors; nothing published");
    assertThat(producers).isEmpty();
  }

  @Test
  void rejectsABadOptionValueNamingTheOption() {
    int exit = submit("--prompt", "x", "--width", "wide");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("Invalid value for option '--width': 'wide' is not an int");
    assertThat(producers).isEmpty();
  }

  @Test
  void requiresExactlyOneOfPromptAndFile() throws IOException {
    assertThat(submit("--tenant", "acme")).isEqualTo(2);
    assertThat(err.toString()).startsWith("Error: Missing required argument (specify one of these):"
        + " (--prompt=TEXT | --file=FILE | FILE)");

    assertThat(submit("--prompt", "x", "--file", file("{}").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--prompt=TEXT, --file=FILE are mutually exclusive");
  }

  @Test
  void rejectsRequestIdWithFile() throws IOException {
    int exit = submit("--file", file("{\"prompt\": \"x\"}").toString(), "--request-id", "r1");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith(
        "--request-id names a single --prompt request; with --file set requestId on each line");
    assertThat(producers).isEmpty();
  }

  @Test
  void reportsAMissingOrEmptyFile() throws IOException {
    assertThat(submit("--file", dir.resolve("nope.jsonl").toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(dir.resolve("nope.jsonl") + ": no such file\n");

    Path empty = file("", "  ");
    assertThat(submit("--file", empty.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(empty + ": no requests: expected one JSON object per line");
  }

  @Test
  void dryRunValidatesAndPublishesNothing() throws IOException {
    int exit = submit("--file", file("{\"prompt\": \"a\"}", "{\"prompt\": \"b\"}").toString(), "--dry-run");

    assertThat(exit).isZero();
    assertThat(out.toString()).isEqualTo("dry run: 2 requests valid for kiln.requests (batch " + BATCH
        + ", tenant local); nothing published\n" + BATCH + "\n");
    assertThat(producers).isEmpty();
  }

  @Test
  void reportsAFailedPublishWithContextAndExitCode1() {
    sendException = new org.apache.kafka.common.errors.TimeoutException(
        "Topic kiln.requests not present in metadata after 30000 ms.");

    int exit = submit("--prompt", "x", "--request-id", "r1");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("error: cannot publish request \"r1\" to kiln.requests:"
        + " TimeoutException: Topic kiln.requests not present in metadata after 30000 ms.;"
        + " 0 of 1 requests were acknowledged\n");
    assertThat(producers.get(0).closed()).isTrue();
  }

  @Test
  void configuresAnIdempotentProducerForTheGivenServers() {
    submit("--prompt", "x", "--bootstrap-servers", "broker:9093");

    assertThat(producerConfigs.get(0))
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("enable.idempotence", true)
        .containsEntry("acks", "all")
        .containsEntry("delivery.timeout.ms", 120_000);
  }

  @Test
  void takesKafkaSecuritySettingsFromTheKafkaConfigFileNotTheCommandLine(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("client.properties"),
        "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"b\";\n");

    int exit = submit("--prompt", "x", "--bootstrap-servers", "broker:9093", "--kafka-config", config.toString());

    assertThat(exit).isZero();
    assertThat(producerConfigs.get(0))
        .containsEntry("bootstrap.servers", "broker:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsEntry("enable.idempotence", true);
  }

  @Test
  void aKafkaConfigThatChangesKilnsOwnSettingsIsRefusedNamingTheOption(@TempDir Path dir) throws IOException {
    Path config = Files.writeString(dir.resolve("client.properties"), "enable.idempotence=false\n");

    int exit = submit("--prompt", "x", "--kafka-config", config.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--kafka-config: " + config)
        .contains("key 'enable.idempotence' is not a security setting");
    assertThat(producerConfigs).isEmpty();
  }
}
