package dev.kiln.ingest.internal;

import dev.kiln.schemas.KafkaEndpoint;
import dev.kiln.ingest.PublishException;
import dev.kiln.ingest.RequestDefaults;
import dev.kiln.ingest.RequestPublisher;
import dev.kiln.ingest.SubmitCommand;
import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.Catalogue.Check;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import dev.kiln.ingest.catalogue.Size;
import dev.kiln.schemas.FieldError;
import dev.kiln.schemas.RenderRequest;
import dev.kiln.schemas.RequestValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;

/**
 * Checks a catalogue, prints what is wrong with it, and publishes it when it may: the part of
 * {@code kiln submit} and {@code kiln schedule} that is the same for both.
 */
public final class CatalogueRun {
  private final KafkaEndpoint kafka;
  private final String topic;
  private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
  private final PrintWriter out;
  private final PrintWriter err;

  /**
   * @param producers makes the producer from {@link RequestPublisher#producerConfig}; called only
   *     when there is something to publish
   * @param out where the outcome goes; the batch id is its last line
   * @param err where problems go
   */
  public CatalogueRun(KafkaEndpoint kafka, String topic,
      Function<Map<String, Object>, Producer<byte[], byte[]>> producers, PrintWriter out, PrintWriter err) {
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
  }

  /**
   * What a run did.
   *
   * @param exitCode as {@link SubmitCommand}'s: 0, {@link SubmitCommand#EXIT_PUBLISH_FAILED} or
   *     {@link SubmitCommand#EXIT_INVALID}
   * @param published requests acknowledged (with a dry run: that would have been published)
   * @param images the sum of {@code numImages} over those requests
   */
  public record Outcome(int exitCode, int published, long images) {}

  /**
   * Problems with the variants before any row is read, each reported under the name the user gave
   * them, e.g. {@code --sizes 100x64: width must be a multiple of 8 from 32 to 1024, got 100}.
   *
   * @param seedsName what the user called the seeds ({@code --seeds}, or a config field)
   * @param sizesName likewise for the sizes
   */
  public static List<String> variantErrors(
      RequestDefaults defaults, CatalogueSpec spec, String seedsName, String sizesName) {
    Set<String> errors = new LinkedHashSet<>();
    for (Long seed : spec.seeds()) {
      for (FieldError e : RequestValidator.validate(prototype(defaults, seed, defaults.width(), defaults.height()))) {
        if (e.field().equals("seed")) {
          errors.add(seedsName + " " + seed + ": " + e.message());
        }
      }
    }
    for (Size size : spec.sizes()) {
      for (FieldError e : RequestValidator.validate(prototype(defaults, defaults.seed(), size.width(), size.height()))) {
        if (e.field().equals("width") || e.field().equals("height")) {
          errors.add(sizesName + " " + size + ": " + e.field() + " " + e.message());
        }
      }
    }
    return new ArrayList<>(errors);
  }

  private static RenderRequest prototype(RequestDefaults defaults, Long seed, int width, int height) {
    return defaults.newRequest().setRequestId("defaults").setPrompt("?").setSeed(seed).setWidth(width)
        .setHeight(height).build();
  }

  /**
   * Checks the whole catalogue; if it is good (or {@code skipInvalid} and some rows are), publishes
   * it, and prints the outcome.
   *
   * @param skipHint how the user asks to skip invalid rows, for the message when there are some
   */
  public Outcome run(Catalogue catalogue, RequestDefaults defaults, boolean skipInvalid, boolean dryRun,
      String skipHint) {
    Check check;
    try {
      check = catalogue.check();
    } catch (IOException e) {
      return invalid(List.of("cannot read the catalogue: " + e));
    }
    if (!check.errors().isEmpty()) {
      return invalid(check.errorLines());
    }
    if (!check.rejected().isEmpty()) {
      if (!skipInvalid) {
        List<String> lines = new ArrayList<>(check.errorLines());
        int rows = check.rejected().size();
        lines.add(errors(lines.size()) + " in " + rows + (rows == 1 ? " row" : " rows") + " of "
            + check.rows() + "; nothing published (" + skipHint + " publishes the other rows)");
        return print(lines);
      }
      check.skippedLines().forEach(err::println);
      err.flush();
    }
    if (check.requests() == 0) {
      return print(List.of("no valid rows; nothing published"));
    }
    String scope = "(batch " + defaults.batchId() + ", tenant " + defaults.tenant() + ")";
    String from = " from " + count(check.rows() - check.rejected().size(), "row") + " of " + catalogue
        + (check.rejected().isEmpty() ? "" : "; skipped " + count(check.rejected().size(), "invalid row"));
    if (dryRun) {
      out.println("dry run: " + count(check.requests(), "request") + " valid for " + topic + " " + scope + from
          + "; nothing published");
      out.println(defaults.batchId());
      out.flush();
      return new Outcome(0, check.requests(), check.images());
    }
    RequestPublisher publisher;
    try {
      publisher = new RequestPublisher(producers.apply(RequestPublisher.producerConfig(kafka)), topic);
    } catch (KafkaException e) {
      return failed(producerError(e));
    }
    String failure;
    try (publisher) {
      publisher.expect(check.requests());
      catalogue.emit(check, publisher::send);
      int published = publisher.awaitAcknowledged();
      out.println("published " + count(published, "request") + " to " + topic + " " + scope + from);
      out.println(defaults.batchId());
      out.flush();
      return new Outcome(0, published, (long) published * defaults.numImages());
    } catch (PublishException e) {
      failure = e.getMessage();
    } catch (IOException e) {
      // The sends so far still go out (close flushes them); say how many made it.
      failure = e.getMessage() + "; " + publisher.acknowledged() + " of " + check.requests()
          + " requests were acknowledged before it was noticed";
    } catch (KafkaException e) {
      failure = producerError(e);
    }
    return failed(failure);
  }

  private String producerError(KafkaException e) {
    // The producer could not be created or closed, e.g. no resolvable bootstrap server.
    return "Kafka producer for " + kafka.bootstrapServers() + ": " + e.getMessage()
        + (e.getCause() == null ? "" : ": " + e.getCause().getMessage());
  }

  private Outcome invalid(List<String> errors) {
    List<String> lines = new ArrayList<>(errors);
    lines.add(errors(errors.size()) + "; nothing published");
    return print(lines);
  }

  private Outcome print(List<String> lines) {
    lines.forEach(err::println);
    err.flush();
    return new Outcome(SubmitCommand.EXIT_INVALID, 0, 0);
  }

  private Outcome failed(String message) {
    err.println("error: " + message);
    err.flush();
    return new Outcome(SubmitCommand.EXIT_PUBLISH_FAILED, 0, 0);
  }

  private static String errors(int n) {
    return n + (n == 1 ? " error" : " errors");
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
