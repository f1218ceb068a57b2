package dev.kiln.deploy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.ingest.SubmitCommand;
import dev.kiln.schemas.RenderResult;
import dev.kiln.storage.ObjectKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A catalogue through {@code kiln submit} on the real stack: every variant renders once, a second
 * submission of the same batch adds nothing, and a new batch id renders again.
 */
class CatalogueIT {
  static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  static final String[] SHAPES = {"circle", "square", "triangle"};

  static Path catalogue(Path dir, int rows) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("sku,colour,shape,background");
    for (int i = 0; i < rows; i++) {
      lines.add("SKU-" + i + "," + COLOURS[i % 8] + "," + SHAPES[i % 3] + "," + COLOURS[(i + 1 + i / 8) % 8]);
    }
    Path file = dir.resolve("catalogue.csv");
    Files.write(file, lines);
    return file;
  }

  static int submit(SharedPipeline p, Path file, String batch) {
    return new CommandLine(new SubmitCommand()).execute(file.toString(),
        "--template", "a large {colour} {shape} on a {background} background",
        "--seeds", "1,2", "--batch-id", batch, "--tenant", "it",
        "--bootstrap-servers", p.stack.bootstrapServers());
  }

  static Set<String> objects(SharedPipeline p, String batch) {
    Set<String> keys = new java.util.TreeSet<>();
    keys.addAll(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.ASSETS, "it", batch)));
    keys.addAll(p.store.list(ObjectKeys.batchPrefix(ObjectKeys.Area.QUARANTINE, "it", batch)));
    return keys;
  }

  @Test
  void aCatalogueRendersOnceAndASecondSubmissionAddsNothing(@TempDir Path dir) throws Exception {
    SharedPipeline p = SharedPipeline.get();
    Path file = catalogue(dir, 200);
    String batch = "cat-" + UUID.randomUUID().toString().substring(0, 8);

    assertThat(submit(p, file, batch)).isZero();
    List<RenderResult> first = PipelineIT.awaitResults(p, batch, 400);
    assertThat(first).hasSize(400);
    assertThat(first.stream().map(RenderResult::getImageId).collect(Collectors.toSet())).hasSize(400);
    Set<String> objectsAfterFirst = objects(p, batch);
    assertThat(objectsAfterFirst.stream().filter(k -> k.endsWith(".png"))).hasSize(400);

    assertThat(submit(p, file, batch)).isZero();
    // Long enough for the duplicates to be rendered and published, had the job not dropped them.
    Thread.sleep(15_000);
    List<RenderResult> afterSecond = PipelineIT.awaitResults(p, batch, 400);
    assertThat(afterSecond).as("no new result events").hasSize(400);
    assertThat(objects(p, batch)).as("no new objects").isEqualTo(objectsAfterFirst);

    String again = batch + "-again";
    assertThat(submit(p, file, again)).isZero();
    assertThat(PipelineIT.awaitResults(p, again, 400)).hasSize(400);
  }
}
