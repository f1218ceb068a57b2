package dev.kiln.render.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The models a job can render with: subdirectories of the models directory that hold a model_index.json. */
public final class ModelRegistry {
  private ModelRegistry() {}

  public static Set<String> available(Path modelsDir) {
    if (!Files.isDirectory(modelsDir)) {
      throw new IllegalArgumentException("models directory " + modelsDir.toAbsolutePath()
          + " does not exist: set kiln.models.dir to a directory with one subdirectory per model");
    }
    try (Stream<Path> dirs = Files.list(modelsDir)) {
      Set<String> names = new TreeSet<>();
      dirs.filter(d -> Files.isRegularFile(d.resolve("model_index.json")))
          .forEach(d -> names.add(d.getFileName().toString()));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list models in " + modelsDir, e);
    }
  }
}
