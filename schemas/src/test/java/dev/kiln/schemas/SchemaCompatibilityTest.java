package dev.kiln.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Every schema must stay backward compatible (new readers read data written with the last
 * release) and forward compatible (the last release's readers read new data), so producers and
 * consumers can be upgraded in any order.
 */
class SchemaCompatibilityTest {
  static final Path CURRENT = Path.of("src/main/avro");
  static final Path RELEASED = Path.of("src/main/resources/dev/kiln/schemas/released");

  @Test
  void everySchemaIsBackwardAndForwardCompatibleWithEveryRelease() throws IOException {
    Map<String, Schema> current = parseAll(CURRENT);
    assertThat(current).containsKeys("dev.kiln.schemas.RenderRequest", "dev.kiln.schemas.RenderedImage",
        "dev.kiln.schemas.RenderResult", "dev.kiln.schemas.DeadLetter");
    List<Path> releases;
    try (Stream<Path> dirs = Files.list(RELEASED)) {
      releases = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(releases).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (Path release : releases) {
      parseAll(release).forEach((name, old) -> {
        Schema now = current.get(name);
        if (now == null) {
          problems.add(release.getFileName() + ": " + name + " was removed");
          return;
        }
        problems.addAll(incompatibilities(release.getFileName() + " " + name, now, old));
      });
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void detectsAFieldAddedWithoutDefault() {
    Schema old = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");
    Schema changed = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""");
    assertThat(incompatibilities("R", changed, old)).singleElement().asString().contains("backward");
  }

  @Test
  void detectsARemovedFieldWithoutDefault() {
    Schema old = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""");
    Schema changed = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}""");
    assertThat(incompatibilities("R", changed, old)).singleElement().asString().contains("forward");
  }

  static List<String> incompatibilities(String what, Schema now, Schema old) {
    List<String> problems = new ArrayList<>();
    var backward = SchemaCompatibility.checkReaderWriterCompatibility(now, old);
    if (backward.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(what + ": not backward compatible: " + backward.getDescription());
    }
    var forward = SchemaCompatibility.checkReaderWriterCompatibility(old, now);
    if (forward.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(what + ": not forward compatible: " + forward.getDescription());
    }
    return problems;
  }

  /** Parses a directory of .avsc files that may refer to each other, keyed by full name. */
  static Map<String, Schema> parseAll(Path dir) throws IOException {
    Schema.Parser parser = new Schema.Parser();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
    }
    // Named types used by other files (GenerationParams, Verdict) must be parsed first.
    List<Path> ordered = new ArrayList<>(files.stream().filter(SchemaCompatibilityTest::isShared).toList());
    files.stream().filter(p -> !isShared(p)).forEach(ordered::add);
    Map<String, Schema> schemas = new TreeMap<>();
    for (Path f : ordered) {
      Schema s = parser.parse(f.toFile());
      schemas.put(s.getFullName(), s);
    }
    return schemas;
  }

  private static boolean isShared(Path p) {
    String n = p.getFileName().toString();
    return n.equals("GenerationParams.avsc") || n.equals("Verdict.avsc");
  }
}
