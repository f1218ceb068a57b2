package dev.kiln.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;

/**
 * Checks that the Dockerfiles and Kubernetes manifests agree with the build: every path a
 * Dockerfile copies exists (build output after {@code mvn package}), every {@code local://} jar a
 * manifest runs is one a Dockerfile puts there, every {@code kiln.*} setting a manifest passes is
 * an option some {@code *Options} class declares, and every manifest parses.
 */
final class DeployArtifacts {
  private static final Pattern COPY = Pattern.compile("^COPY\\s+(?!--from)(\\S+)\\s+(\\S+)\\s*$");
  private static final Pattern LOCAL_URI = Pattern.compile("local://(/\\S+)");
  private static final Pattern KILN_KEY = Pattern.compile("^(kiln\\.[a-z0-9.-]+)(=.*)?$");

  private DeployArtifacts() {}

  /** Every problem found, one line each; empty when everything agrees. */
  static List<String> problems(Path repo, List<Path> dockerfiles, List<Path> manifests, Set<String> optionKeys)
      throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, String> copiedTo = new TreeMap<>(); // image path -> repository path
    for (Path dockerfile : dockerfiles) {
      for (String line : Files.readAllLines(dockerfile)) {
        Matcher m = COPY.matcher(line.strip());
        if (!m.matches()) {
          continue;
        }
        String from = m.group(1);
        copiedTo.put(m.group(2), from);
        if (!Files.exists(repo.resolve(from))) {
          problems.add(dockerfile.getFileName() + ": COPY " + from + ": no such path"
              + (from.contains("target/") ? " (build output: run mvn -B package first)" : ""));
        }
      }
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (Path manifest : manifests) {
      List<String> strings = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      try (MappingIterator<JsonNode> docs = yaml.readerFor(JsonNode.class).readValues(manifest.toFile())) {
        while (docs.hasNextValue()) {
          collect(docs.nextValue(), strings, keys);
        }
      } catch (IOException e) {
        problems.add(manifest.getFileName() + ": not valid YAML: " + e.getMessage());
        continue;
      }
      for (String s : strings) {
        Matcher local = LOCAL_URI.matcher(s);
        if (local.find() && !copiedTo.containsKey(local.group(1))) {
          problems.add(manifest.getFileName() + ": " + local.group() + " is not a path any Dockerfile copies to "
              + copiedTo.keySet());
        }
      }
      // Settings are map keys (flinkConfiguration) and key=value job arguments; a bare string such
      // as a topic name (kiln.requests) is not one.
      List<String> settings = new ArrayList<>(keys);
      strings.stream().filter(s -> s.contains("=")).forEach(settings::add);
      for (String s : settings) {
        Matcher key = KILN_KEY.matcher(s.strip());
        if (key.matches() && !optionKeys.contains(key.group(1))) {
          problems.add(manifest.getFileName() + ": " + key.group(1) + " is not an option of any *Options class");
        }
      }
    }
    return problems;
  }

  private static void collect(JsonNode node, List<String> strings, List<String> keys) {
    if (node.isTextual()) {
      strings.add(node.asText());
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        keys.add(e.getKey());
        collect(e.getValue(), strings, keys);
      }
    } else if (node.isArray()) {
      node.forEach(n -> collect(n, strings, keys));
    }
  }

  /**
   * The keys of every {@link ConfigOption} constant in a class named {@code *Options} under
   * {@code dev.kiln}, wherever it lives on the classpath (class directories of the reactor).
   */
  static Set<String> optionKeys() throws IOException {
    Set<String> keys = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      for (String name : optionClassNames(Path.of(entry))) {
        try {
          for (Field f : Class.forName(name).getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
              f.setAccessible(true);
              keys.add(((ConfigOption<?>) f.get(null)).key());
            }
          }
        } catch (ClassNotFoundException | IllegalAccessException e) {
          throw new IllegalStateException("cannot read the options of " + name + ": " + e, e);
        }
      }
    }
    return keys;
  }

  private static List<String> optionClassNames(Path entry) throws IOException {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(entry.resolve("dev/kiln"))) {
      try (Stream<Path> files = Files.walk(entry.resolve("dev/kiln"))) {
        files.filter(p -> p.getFileName().toString().endsWith("Options.class"))
            .forEach(p -> names.add(entry.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "")));
      }
    } else if (entry.getFileName() != null && entry.getFileName().toString().startsWith("kiln-")
        && entry.toString().endsWith(".jar")) {
      try (var jar = new java.util.jar.JarFile(entry.toFile())) {
        jar.stream().map(java.util.jar.JarEntry::getName)
            .filter(n -> n.startsWith("dev/kiln/") && n.endsWith("Options.class"))
            .forEach(n -> names.add(n.replace('/', '.').replaceAll("\\.class$", "")));
      }
    }
    return names;
  }

  static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  static Path repoDir() {
    return Path.of(System.getProperty("kiln.repo.dir", "..")).toAbsolutePath().normalize();
  }

}
