package dev.kiln.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.internal.RequestIds;
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

/** {@code kiln submit FILE --template ...}: catalogue rows to requests, as published. */
class CatalogueSubmitTest {
  private static final Instant NOW = Instant.parse("2026-11-22T00:15:30Z");
  private static final String TEMPLATE = "studio photo of a {colour} {product} on a {background} background";

  @TempDir Path dir;

  private final List<MockProducer<byte[], byte[]>> producers = new ArrayList<>();
  private final List<String> watched = new ArrayList<>();
  private SubmitWatcher watcher;
  private StringWriter out;
  private StringWriter err;

  private int submit(String... args) {
    out = new StringWriter();
    err = new StringWriter();
    SubmitCommand command = new SubmitCommand(config -> {
      MockProducer<byte[], byte[]> producer =
          new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
      producers.add(producer);
      return producer;
    }, Clock.fixed(NOW, ZoneOffset.UTC));
    if (watcher != null) {
      command.setWatcher(watcher);
    }
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
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
        throw new AssertionError("published value does not decode: " + e.getMessage(), e);
      }
    }
    return requests;
  }

  private Path csv(String... lines) throws IOException {
    return write("catalogue.csv", lines);
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private Path products() throws IOException {
    return csv(
        "sku,colour,product,background",
        "A-1,red,mug,white",
        "A-2,blue,kettle,grey",
        "A-3,green,teapot,black");
  }

  @Test
  void publishesOneRequestPerRowSeedAndSizeKeyedByDerivedIds() throws IOException {
    Path file = products();

    int exit = submit(file.toString(), "--template", TEMPLATE, "--batch-id", "spring", "--tenant", "retail",
        "--seeds", "1,2,3", "--sizes", "64x64,128x96", "--negative-prompt", "blurry", "--label", "campaign=x");

    assertThat(exit).as(err.toString()).isZero();
    List<RenderRequest> requests = published();
    assertThat(requests).hasSize(3 * 3 * 2);
    assertThat(keys()).containsExactlyElementsOf(requests.stream().map(RenderRequest::getRequestId).toList())
        .doesNotHaveDuplicates();
    RenderRequest first = requests.get(0);
    assertThat(first.getPrompt()).isEqualTo("studio photo of a red mug on a white background");
    assertThat(first.getRequestId()).isEqualTo(RequestIds.forCatalogueRow("retail", "spring", "A-1", 1L, 64, 64));
    assertThat(first.getLabels()).containsOnly(
        Map.entry("campaign", "x"), Map.entry("catalogue", "catalogue.csv"), Map.entry("row", "A-1"));
    assertThat(first.getTenant()).isEqualTo("retail");
    assertThat(first.getBatchId()).isEqualTo("spring");
    assertThat(first.getNegativePrompt()).isEqualTo("blurry");
    assertThat(first.getSubmittedAt()).isEqualTo(NOW);
    assertThat(requests.subList(0, 6)).extracting(r -> r.getSeed() + "@" + r.getWidth() + "x" + r.getHeight())
        .containsExactly("1@64x64", "1@128x96", "2@64x64", "2@128x96", "3@64x64", "3@128x96");
    assertThat(requests).extracting(RenderRequest::getPrompt).containsSubsequence(
        "studio photo of a red mug on a white background",
        "studio photo of a blue kettle on a grey background",
        "studio photo of a green teapot on a black background");
    assertThat(out.toString()).isEqualTo("published 18 requests to kiln.requests (batch spring, tenant retail)"
        + " from 3 rows of " + file + "\nspring\n");
  }

  @Test
  void republishingTheSameCatalogueUnderTheSameBatchGivesTheSameIds() throws IOException {
    Path file = products();

    submit(file.toString(), "--template", TEMPLATE, "--batch-id", "b1", "--variants", "2");
    List<String> firstRun = keys();
    producers.clear();
    submit(file.toString(), "--template", "another {product}", "--batch-id", "b1", "--variants", "2");
    List<String> secondRun = keys();
    producers.clear();
    submit(file.toString(), "--template", TEMPLATE, "--batch-id", "b2", "--variants", "2");

    assertThat(firstRun).hasSize(6).isEqualTo(secondRun);
    assertThat(keys()).hasSize(6).doesNotContainAnyElementsOf(firstRun);
  }

  @Test
  void variantsMakeSeedsFromZero() throws IOException {
    submit(products().toString(), "--template", TEMPLATE, "--variants", "3");

    assertThat(published()).hasSize(9).extracting(RenderRequest::getSeed).startsWith(0L, 1L, 2L, 0L);
  }

  @Test
  void reportsAnUnknownPlaceholderOnceAtTheHeaderListingTheColumns() throws IOException {
    Path file = products();

    int exit = submit(file.toString(), "--template", "a {colur} {product} on {floor}");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(
        file + ":1: template placeholder {colur} is not a column (did you mean {colour}?);"
            + " columns: sku, colour, product, background\n"
            + file + ":1: template placeholder {floor} is not a column; columns: sku, colour, product, background\n"
            + "2 errors; nothing published\n");
    assertThat(producers).isEmpty();
  }

  @Test
  void reportsAnEmptyValueWithFileLineAndColumn() throws IOException {
    Path file = csv(
        "sku,colour,product,background",
        "A-1,red,mug,white",
        "A-2,,kettle,grey",
        "A-3,green,teapot");

    int exit = submit(file.toString(), "--template", TEMPLATE);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        file + ":3:2: column \"colour\": empty, but the template uses {colour}",
        file + ":4:4: column \"background\": empty, but the template uses {background}",
        "2 errors in 2 rows of 3; nothing published (--skip-invalid publishes the other rows)");
    assertThat(producers).isEmpty();
  }

  @Test
  void skipInvalidPublishesTheValidRowsAndListsTheSkippedOnes() throws IOException {
    Path file = csv(
        "sku,colour,product,background,kiln_width,kiln_height",
        "A-1,red,mug,white,,",
        "A-17,,kettle,grey,100,64",
        "A-3,green,teapot,black,,");

    int exit = submit(file.toString(), "--template", TEMPLATE, "--skip-invalid", "--batch-id", "b1", "--seeds", "1,2");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(published()).extracting(r -> r.getLabels().get("row")).containsExactly("A-1", "A-1", "A-3", "A-3");
    assertThat(err.toString()).isEqualTo("skipped " + file + ":3 (sku=A-17): column \"colour\": empty,"
        + " but the template uses {colour}\n");
    assertThat(out.toString()).isEqualTo("published 4 requests to kiln.requests (batch b1, tenant local)"
        + " from 2 rows of " + file + "; skipped 1 invalid row\nb1\n");
  }

  @Test
  void skipInvalidListsEveryReasonForARow() throws IOException {
    Path file = csv(
        "sku,colour,product,background,kiln_width,kiln_height",
        "A-17,red,kettle,grey,100,64",
        "A-18,red,kettle,grey,64,64");

    int exit = submit(file.toString(), "--template", "{colour} {product}", "--skip-invalid", "--batch-id", "b1");

    assertThat(exit).isZero();
    assertThat(err.toString()).isEqualTo("skipped " + file + ":2 (sku=A-17): column \"kiln_width\":"
        + " must be a multiple of 8 from 32 to 1024, got 100\n");
    assertThat(published()).hasSize(1);
  }

  @Test
  void reportsDuplicateRowKeysNamingBothLines() throws IOException {
    Path file = csv(
        "colour,product,background,SKU",
        "red,mug,white,A-1",
        "blue,kettle,grey,A-2",
        "green,teapot,black,A-1");

    int exit = submit(file.toString(), "--template", TEMPLATE);

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString().lines().toList()).containsExactly(
        file + ":4:4: column \"SKU\": duplicate row key \"A-1\", also on line 2; row keys must be unique,"
            + " as they fix the request ids",
        "1 error in 1 row of 3; nothing published (--skip-invalid publishes the other rows)");
  }

  @Test
  void keyColumnNamesTheRowsAndWithoutOneTheRowNumberDoes() throws IOException {
    Path file = csv(
        "colour,product,background,code",
        "red,mug,white,X9",
        "blue,kettle,grey,X7");

    submit(file.toString(), "--template", TEMPLATE, "--key-column", "code");
    assertThat(published()).extracting(r -> r.getLabels().get("row")).containsExactly("X9", "X7");

    producers.clear();
    submit(file.toString(), "--template", TEMPLATE);
    assertThat(published()).extracting(r -> r.getLabels().get("row")).containsExactly("1", "2");

    producers.clear();
    assertThat(submit(file.toString(), "--template", TEMPLATE, "--key-column", "Code")).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + ":1: key column \"Code\" is not a column (did you mean"
        + " \"code\"?); columns: colour, product, background, code\n");
  }

  @Test
  void quotedCsvValuesReachThePromptIntactAndLineNumbersCountTheirLineBreaks() throws IOException {
    Path file = csv(
        "sku,colour,product,background",
        "A-1,\"red, glossy\",\"\"\"smart\"\" mug\",white",
        "A-2,blue,\"kettle",
        "with a long spout\",grey",
        "A-3,,teapot,black");

    int exit = submit(file.toString(), "--template", TEMPLATE, "--skip-invalid");

    assertThat(exit).isZero();
    assertThat(published()).extracting(RenderRequest::getPrompt).containsExactly(
        "studio photo of a red, glossy \"smart\" mug on a white background",
        "studio photo of a blue kettle\nwith a long spout on a grey background");
    assertThat(err.toString()).startsWith("skipped " + file + ":5 (sku=A-3):");
  }

  @Test
  void reportsAQuoteLeftOpenAtTheLineItOpened() throws IOException {
    Path file = csv("sku,colour,product,background", "A-1,red,\"mug,white", "A-2,blue,kettle,grey");

    assertThat(submit(file.toString(), "--template", TEMPLATE)).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(file + ":2:3: quoted field never closed: the file ends inside it;"
        + " close it with \"\n1 error; nothing published\n");
  }

  @Test
  void reportsTextPastTheLastColumn() throws IOException {
    Path file = csv("sku,colour,product,background", "A-1,red,mug,white,,", "A-2,blue,kettle,grey,extra");

    assertThat(submit(file.toString(), "--template", TEMPLATE)).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + ":3:5: 5 fields, but the header names 4 columns;"
        + " quote values that contain commas\n");
  }

  @Test
  void rowColumnsOverrideSeedSizeAndNegativePrompt() throws IOException {
    Path file = csv(
        "sku,product,kiln_seed,kiln_width,kiln_height,kiln_negative_prompt",
        "A-1,mug,,,,",
        "A-2,kettle,42,128,96,no text");

    int exit = submit(file.toString(), "--template", "a {product}", "--seeds", "1,2", "--negative-prompt", "blurry");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(published()).extracting(r -> r.getLabels().get("row") + " " + r.getSeed() + " " + r.getWidth()
        + "x" + r.getHeight() + " " + r.getNegativePrompt())
        .containsExactly("A-1 1 64x64 blurry", "A-1 2 64x64 blurry", "A-2 42 128x96 no text");
  }

  @Test
  void aRowColumnOrTheOptionAsksForNearDuplicatesToBeRerendered() throws IOException {
    Path file = csv(
        "sku,product,kiln_rerender_near_duplicates",
        "A-1,mug,",
        "A-2,kettle,false",
        "A-3,teapot, TRUE ");

    assertThat(submit(file.toString(), "--template", "a {product}")).as(err.toString()).isZero();
    assertThat(published()).extracting(RenderRequest::getRerenderNearDuplicates).containsExactly(false, false, true);

    producers.clear();
    assertThat(submit(file.toString(), "--template", "a {product}", "--rerender-near-duplicates"))
        .as(err.toString()).isZero();
    assertThat(published()).extracting(RenderRequest::getRerenderNearDuplicates).containsExactly(true, false, true);
  }

  @Test
  void aRerenderCellThatIsNotTrueOrFalseIsAnErrorNamingTheColumn() throws IOException {
    Path file = csv(
        "sku,product,kiln_rerender_near_duplicates",
        "A-1,mug,yes");

    assertThat(submit(file.toString(), "--template", "a {product}")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(file + ":2:3: column \"kiln_rerender_near_duplicates\": expected true or"
        + " false, got \"yes\"\n1 error in 1 row of 1; nothing published (--skip-invalid publishes the other rows)\n");
    assertThat(producers).isEmpty();
  }

  @Test
  void aJsonLinesCatalogueMaySayRerenderWithABoolean() throws IOException {
    Path file = write("catalogue.jsonl",
        "{\"id\": 7, \"product\": \"mug\", \"kiln_rerender_near_duplicates\": true}",
        "{\"id\": 8, \"product\": \"kettle\", \"kiln_rerender_near_duplicates\": false}");

    assertThat(submit(file.toString(), "--template", "a {product}")).as(err.toString()).isZero();
    assertThat(published()).extracting(RenderRequest::getRerenderNearDuplicates).containsExactly(true, false);
  }

  @Test
  void readsAJsonLinesCatalogueWithNumbersAndNamesAMissingField() throws IOException {
    Path file = write("catalogue.jsonl",
        "{\"id\": 7, \"product\": \"mug\", \"size\": 1.50}",
        "{\"id\": 8, \"product\": \"kettle\", \"size\": 2}",
        "{\"id\": 9, \"size\": 3}");

    int exit = submit(file.toString(), "--template", "a {size} litre {product}", "--skip-invalid");

    assertThat(exit).isZero();
    assertThat(published()).extracting(RenderRequest::getPrompt).containsExactly("a 1.50 litre mug", "a 2 litre kettle");
    assertThat(published()).extracting(r -> r.getLabels().get("row")).containsExactly("7", "8");
    assertThat(err.toString()).isEqualTo("skipped " + file + ":3 (id=9): field \"product\": missing,"
        + " but the template uses {product}\n");

    assertThat(submit(file.toString(), "--template", "a {size} litre {product}")).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + ":3: field \"product\": missing, but the template uses {product}\n");
  }

  @Test
  void namesAnInvalidSizeOrSeedUnderItsOption() throws IOException {
    Path file = products();

    assertThat(submit(file.toString(), "--template", TEMPLATE, "--sizes", "64x64,100x64")).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("--sizes 100x64: width must be a multiple of 8 from 32 to 1024, got 100\n"
        + "1 error; nothing published\n");

    assertThat(submit(file.toString(), "--template", TEMPLATE, "--sizes", "64by64")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--sizes: expected WIDTHxHEIGHT, e.g. 64x64, got \"64by64\"\n");

    assertThat(submit(file.toString(), "--template", TEMPLATE, "--seeds", "1,2,1")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--seeds: seed 1 is listed twice; list each seed once");
    assertThat(producers).isEmpty();
  }

  @Test
  void rejectsCatalogueOptionsThatDoNotFit() throws IOException {
    Path file = products();

    assertThat(submit(file.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + " is a CSV catalogue: give --template to turn each row into a"
        + " prompt, e.g. --template \"studio photo of a {colour} {product}\"");
    assertThat(submit("--prompt", "x", "--template", TEMPLATE)).isEqualTo(2);
    assertThat(err.toString()).startsWith("--template fills prompts from a catalogue: give FILE (.csv or .jsonl),"
        + " not --prompt");
    assertThat(submit("--prompt", "x", "--seeds", "1")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--seeds applies to a catalogue: give --template too");
    assertThat(submit(file.toString(), "--template", TEMPLATE, "--sizes", "64x64", "--width", "128")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--sizes replaces --width and --height: give one or the other");
    assertThat(submit(file.toString(), "--template", "a {colour")).isEqualTo(2);
    assertThat(err.toString()).startsWith("--template: unclosed { at character 3");
    assertThat(producers).isEmpty();
  }

  @Test
  void dryRunChecksEveryRowAndPublishesNothing() throws IOException {
    Path file = products();

    int exit = submit(file.toString(), "--template", TEMPLATE, "--batch-id", "b1", "--seeds", "1,2", "--dry-run");

    assertThat(exit).isZero();
    assertThat(out.toString()).isEqualTo("dry run: 6 requests valid for kiln.requests (batch b1, tenant local)"
        + " from 3 rows of " + file + "; nothing published\nb1\n");
    assertThat(producers).isEmpty();
  }

  @Test
  void watchHandsTheBatchAndItsImageCountToTheWatcher() throws IOException {
    watcher = (servers, tenant, batch, images) -> {
      watched.add(servers.bootstrapServers() + " " + tenant + " " + batch + " " + images);
      return 7;
    };

    int exit = submit(products().toString(), "--template", TEMPLATE, "--batch-id", "b1", "--seeds", "1,2",
        "--num-images", "4", "--watch", "--bootstrap-servers", "broker:9092");

    assertThat(exit).isEqualTo(7);
    assertThat(watched).containsExactly("broker:9092 local b1 24");
  }

  @Test
  void watchWithoutAWatcherPrintsHowToWatch() throws IOException {
    int exit = submit(products().toString(), "--template", TEMPLATE, "--batch-id", "b1", "--watch",
        "--bootstrap-servers", "broker:9092");

    assertThat(exit).isZero();
    assertThat(out.toString()).endsWith("b1\n--watch: no progress display in this build; follow the batch with:\n"
        + "  kiln watch b1 --tenant local --expect 3 --bootstrap-servers broker:9092\n");
  }

  @Test
  void watchFollowsAJsonLinesRequestFileToo() throws IOException {
    watcher = (servers, tenant, batch, images) -> {
      watched.add(tenant + " " + batch + " " + images);
      return 0;
    };
    Path file = write("requests.jsonl", "{\"prompt\": \"a\", \"numImages\": 2}", "{\"prompt\": \"b\"}");

    assertThat(submit(file.toString(), "--batch-id", "b1", "--watch")).isZero();
    assertThat(watched).containsExactly("local b1 3");
  }
}
