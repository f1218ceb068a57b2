package dev.kiln.ingest;

import dev.kiln.ingest.catalogue.Catalogue;
import dev.kiln.ingest.catalogue.CatalogueSpec;
import dev.kiln.schemas.KafkaEndpoint;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code kiln submit} command line, parsed once.
 *
 * @param input one prompt from the command line, a JSON-lines file of requests, or a catalogue
 * @param defaults values for the request fields that the input leaves out
 * @param kafka the broker and its security settings
 * @param topic the requests topic
 * @param dryRun validate only, publish nothing
 * @param skipInvalid publish a catalogue's valid rows and list the others, rather than nothing
 * @param watch hand the published batch to the {@link SubmitWatcher}
 */
public record SubmitArgs(
    Input input, RequestDefaults defaults, KafkaEndpoint kafka, String topic, boolean dryRun,
    boolean skipInvalid, boolean watch) {

  public SubmitArgs {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topic, "topic");
  }

  /** Where the requests come from. */
  public sealed interface Input permits SinglePrompt, RequestFile, CatalogueFile {}

  /**
   * One request from {@code --prompt}.
   *
   * @param requestId {@code null} to derive it from the batch id and every generation parameter
   */
  public record SinglePrompt(String prompt, String requestId) implements Input {
    public SinglePrompt {
      Objects.requireNonNull(prompt, "prompt");
    }
  }

  /** One request per non-blank line of a JSON-lines file. */
  public record RequestFile(Path path) implements Input {
    public RequestFile {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Catalogue rows turned into requests by a template ({@code --template}). */
  public record CatalogueFile(Path path, Catalogue.Format format, CatalogueSpec spec) implements Input {
    public CatalogueFile {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(spec, "spec");
    }
  }
}
