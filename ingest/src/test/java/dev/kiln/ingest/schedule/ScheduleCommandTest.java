package dev.kiln.ingest.schedule;

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
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ScheduleCommandTest {
  private static final String NIGHTLY = "{\"name\": \"nightly-catalogue\", \"cron\": \"0 2 * * *\","
      + " \"catalogue\": \"catalogue.csv\", \"template\": \"studio photo of a {colour} {product}\","
      + " \"tenant\": \"retail\", \"seeds\": [1, 2], \"sizes\": [\"64x64\"], \"negativePrompt\": \"blurry\"}";

  @TempDir Path dir;

  private List<MockProducer<byte[], byte[]>> producers;
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void catalogue() throws IOException {
    Files.writeString(dir.resolve("catalogue.csv"), "sku,colour,product\nA-1,red,mug\nA-2,blue,kettle\n");
  }

  private int schedule(String now, String... args) {
    producers = new ArrayList<>();
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = new CommandLine(new ScheduleCommand(config -> {
      MockProducer<byte[], byte[]> producer =
          new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
      producers.add(producer);
      return producer;
    }, Clock.fixed(Instant.parse(now), ZoneOffset.UTC)));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Path config(String... schedules) throws IOException {
    Path file = dir.resolve("schedules.json");
    Files.writeString(file, "{\"schedules\": [" + String.join(",\n", schedules) + "]}");
    return file;
  }

  private List<ProducerRecord<byte[], byte[]>> sent() {
    return producers.stream().flatMap(p -> p.history().stream()).toList();
  }

  private List<String> keys() {
    return sent().stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
  }

  private List<RenderRequest> published() {
    List<RenderRequest> requests = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> record : sent()) {
      try {
        requests.add(Codecs.REQUEST.decode(record.value()));
      } catch (InvalidRecordException e) {
        throw new AssertionError(e);
      }
    }
    return requests;
  }

  @Test
  void submitsTheCatalogueUnderTheBatchIdOfTheCurrentWindow() throws IOException {
    String config = config(NIGHTLY).toString();

    int exit = schedule("2026-11-22T02:05:00Z", "--config", config);

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(
        "nightly-catalogue: window 2026-11-22T02:00:00Z (cron \"0 2 * * *\"), batch nightly-catalogue.20261122T0200Z\n"
            + "published 4 requests to kiln.requests (batch nightly-catalogue.20261122T0200Z, tenant retail)"
            + " from 2 rows of " + dir.resolve("catalogue.csv") + "\n"
            + "nightly-catalogue.20261122T0200Z\n");
    List<RenderRequest> requests = published();
    assertThat(requests).extracting(RenderRequest::getPrompt).containsExactly(
        "studio photo of a red mug", "studio photo of a red mug",
        "studio photo of a blue kettle", "studio photo of a blue kettle");
    assertThat(requests).allSatisfy(r -> {
      assertThat(r.getTenant()).isEqualTo("retail");
      assertThat(r.getNegativePrompt()).isEqualTo("blurry");
      assertThat(r.getLabels()).containsEntry("schedule", "nightly-catalogue").containsEntry("catalogue", "catalogue.csv");
      assertThat(r.getSubmittedAt()).isEqualTo("2026-11-22T02:05:00Z");
    });
    assertThat(requests).extracting(RenderRequest::getSeed).containsExactly(1L, 2L, 1L, 2L);
  }

  @Test
  void aSecondRunInTheSameWindowPublishesTheSameBatchAndRequestIds() throws IOException {
    String config = config(NIGHTLY).toString();

    schedule("2026-11-22T02:00:00Z", "--config", config);
    List<RenderRequest> first = published();
    List<ProducerRecord<byte[], byte[]>> firstRecords = sent();
    schedule("2026-11-23T01:59:59Z", "--config", config);
    List<RenderRequest> second = published();
    List<ProducerRecord<byte[], byte[]>> secondRecords = sent();

    assertThat(second).extracting(RenderRequest::getBatchId).containsOnly("nightly-catalogue.20261122T0200Z");
    assertThat(first).extracting(RenderRequest::getBatchId).containsOnly("nightly-catalogue.20261122T0200Z");
    assertThat(secondRecords).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(secondRecords.get(i).key()).as("key %d", i).isEqualTo(firstRecords.get(i).key());
    }
  }

  @Test
  void aRunInTheNextWindowPublishesANewBatchWithNewIds() throws IOException {
    String config = config(NIGHTLY).toString();

    schedule("2026-11-22T23:00:00Z", "--config", config);
    List<String> first = keys();
    schedule("2026-11-23T02:00:00Z", "--config", config);

    assertThat(published()).extracting(RenderRequest::getBatchId).containsOnly("nightly-catalogue.20261123T0200Z");
    assertThat(keys()).hasSize(4).doesNotContainAnyElementsOf(first);
  }

  @Test
  void nowOverridesTheClockForTheWindowButNotForSubmittedAt() throws IOException {
    int exit = schedule("2026-11-25T10:00:00Z", "--config", config(NIGHTLY).toString(),
        "--now", "2026-11-22T03:00:00Z");

    assertThat(exit).isZero();
    assertThat(published()).allSatisfy(r -> {
      assertThat(r.getBatchId()).isEqualTo("nightly-catalogue.20261122T0200Z");
      assertThat(r.getSubmittedAt()).isEqualTo("2026-11-25T10:00:00Z");
    });

    assertThat(schedule("2026-11-25T10:00:00Z", "--config", config(NIGHTLY).toString(), "--now", "yesterday"))
        .isEqualTo(2);
    assertThat(err.toString()).startsWith("--now: expected an ISO-8601 instant in UTC such as"
        + " 2026-11-22T02:00:00Z, got \"yesterday\"");
  }

  @Test
  void reportsEveryConfigErrorNamingTheScheduleAndFieldAndPublishesNothing() throws IOException {
    Path config = config(
        NIGHTLY,
        "{\"name\": \"hourly\", \"cron\": \"61 * * * *\", \"catalogue\": \"catalogue.txt\","
            + " \"template\": \"a {colour\", \"sizes\": [\"100x64\"], \"steps\": 0, \"tempalte\": \"x\"}",
        "{\"name\": \"nightly-catalogue\", \"cron\": \"0 3 * * *\", \"catalogue\": \"catalogue.csv\","
            + " \"template\": \"a {product}\", \"sizes\": [\"100x64\"]}",
        "{\"name\": \"bad name!\", \"catalogue\": \"catalogue.csv\", \"template\": \"a {product}\"}");

    int exit = schedule("2026-11-22T02:05:00Z", "--config", config.toString());

    assertThat(exit).isEqualTo(2);
    String s = config + ": schedules[";
    assertThat(err.toString().lines().toList()).containsExactly(
        s + "1] \"hourly\": unknown field \"tempalte\"; allowed fields: " + String.join(", ", ScheduleConfig.FIELDS),
        s + "1] \"hourly\": field \"cron\": minute field \"61\": 61 is out of range 0-59",
        s + "1] \"hourly\": field \"catalogue\": expected a .csv or .jsonl file, got \"catalogue.txt\"",
        s + "1] \"hourly\": field \"template\": unclosed { at character 3; close the placeholder with }, or"
            + " write {{ for a literal brace",
        s + "2] \"nightly-catalogue\": field \"sizes\": size 100x64: width must be a multiple of 8 from 32 to"
            + " 1024, got 100",
        s + "3] \"bad name!\": field \"name\": must be 1-49 characters of A-Z a-z 0-9 . _ - (not only dots),"
            + " got \"bad name!\"; it starts the batch id, which is at most 64 characters",
        s + "3] \"bad name!\": field \"cron\": required",
        "7 errors in " + config + "; nothing published");
    assertThat(producers).isEmpty();
  }

  @Test
  void reportsADuplicateScheduleName() throws IOException {
    Path config = config(NIGHTLY, NIGHTLY);

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(config + ": schedules[1] \"nightly-catalogue\": field \"name\":"
        + " \"nightly-catalogue\" is used by an earlier schedule");
  }

  @Test
  void anInvalidCatalogueStopsOnlyItsOwnSchedule() throws IOException {
    Files.writeString(dir.resolve("broken.csv"), "sku,colour,product\nB-1,,mug\n");
    Path config = config(
        "{\"name\": \"broken\", \"cron\": \"@daily\", \"catalogue\": \"broken.csv\", \"template\": \"a {colour} {product}\"}",
        NIGHTLY);

    int exit = schedule("2026-11-22T02:05:00Z", "--config", config.toString());

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith(dir.resolve("broken.csv") + ":2:2: column \"colour\": empty");
    assertThat(published()).extracting(RenderRequest::getBatchId).containsOnly("nightly-catalogue.20261122T0200Z");
  }

  @Test
  void skipInvalidInTheConfigPublishesTheValidRows() throws IOException {
    Files.writeString(dir.resolve("broken.csv"), "sku,colour,product\nB-1,,mug\nB-2,red,mug\n");
    Path config = config("{\"name\": \"broken\", \"cron\": \"@daily\", \"catalogue\": \"broken.csv\","
        + " \"template\": \"a {colour} {product}\", \"skipInvalid\": true}");

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).isZero();
    assertThat(err.toString()).startsWith("skipped " + dir.resolve("broken.csv") + ":2 (sku=B-1)");
    assertThat(published()).extracting(r -> r.getLabels().get("row")).containsExactly("B-2");
  }

  @Test
  void aScheduleCanAskForNearDuplicatesToBeRerendered() throws IOException {
    Path config = config("{\"name\": \"nightly\", \"cron\": \"@daily\", \"catalogue\": \"catalogue.csv\","
        + " \"template\": \"a {colour} {product}\", \"rerenderNearDuplicates\": true}");

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).as(err.toString()).isZero();
    assertThat(published()).hasSize(2).allSatisfy(r -> assertThat(r.getRerenderNearDuplicates()).isTrue());
  }

  @Test
  void aRerenderNearDuplicatesThatIsNotABooleanIsAnErrorNamingTheField() throws IOException {
    Path config = config("{\"name\": \"nightly\", \"cron\": \"@daily\", \"catalogue\": \"catalogue.csv\","
        + " \"template\": \"a {colour} {product}\", \"rerenderNearDuplicates\": \"yes\"}");

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(config + ": schedules[0] \"nightly\": field \"rerenderNearDuplicates\":"
        + " expected true or false, got \"yes\"\n");
    assertThat(producers).isEmpty();
  }

  @Test
  void runsOnlyTheNamedSchedules() throws IOException {
    Path config = config(NIGHTLY, "{\"name\": \"hourly\", \"cron\": \"@hourly\", \"catalogue\": \"catalogue.csv\","
        + " \"template\": \"a {product}\"}");

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString(), "--schedule", "hourly")).isZero();
    assertThat(published()).extracting(RenderRequest::getBatchId).containsOnly("hourly.20261122T0200Z");

    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString(), "--schedule", "weekly")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--schedule weekly: no such schedule in " + config
        + "; schedules: nightly-catalogue, hourly");
  }

  @Test
  void reportsAMissingOrMalformedConfig() throws IOException {
    assertThat(schedule("2026-11-22T02:05:00Z", "--config", dir.resolve("nope.json").toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(dir.resolve("nope.json") + ": no such file\n");

    Path config = dir.resolve("schedules.json");
    Files.writeString(config, "{\"schedules\": [\n  {\"name\": \"x\",}\n]}");
    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(config + ":2:16: invalid JSON: Unexpected character ('}'");

    Files.writeString(config, "{\"schedule\": []}");
    assertThat(schedule("2026-11-22T02:05:00Z", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(config + ": expected {\"schedules\": [...]} with at least one schedule");
  }

  @Test
  void dryRunChecksTheCataloguesAndPublishesNothing() throws IOException {
    int exit = schedule("2026-11-22T02:05:00Z", "--config", config(NIGHTLY).toString(), "--dry-run");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("dry run: 4 requests valid for kiln.requests");
    assertThat(producers).isEmpty();
  }
}
