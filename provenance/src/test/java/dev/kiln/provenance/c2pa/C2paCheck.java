package dev.kiln.provenance.c2pa;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs c2pa-rs, the C2PA reference implementation, on PNG files: {@code provenance/src/test/c2pa/check.mjs}
 * with {@code @contentauth/c2pa-wasm} (pinned, lockfile) in Node. The package is installed with
 * {@code npm ci --ignore-scripts} into {@code provenance/target/c2pa-check/} the first time, so the
 * source tree stays clean.
 *
 * <p>Without {@code node} or {@code npm} the calling test is skipped with a reason, except under
 * {@code CI=true}, where it fails.
 */
public final class C2paCheck {
  private static final long NPM_TIMEOUT_MINUTES = 5;
  private static final long CHECK_TIMEOUT_MINUTES = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  private C2paCheck(Path dir) {
    this.dir = dir;
  }

  /** c2pa-rs's verdict on one file, from one JSON line of check.mjs. */
  public record Result(String file, boolean present, String validationState, List<String> failure, List<String> success,
      List<String> informational, String error, String line) {}

  /** The directory with check.mjs, package.json and package-lock.json. */
  public static Path sourceDir() {
    return moduleDir().resolve("src/test/c2pa");
  }

  /** Ready to run: Node present and the pinned package installed under provenance/target/c2pa-check. */
  public static C2paCheck prepare() throws IOException, InterruptedException {
    requireTool("node");
    requireTool("npm");
    Path dir = moduleDir().resolve("target/c2pa-check");
    Files.createDirectories(dir);
    for (String file : List.of("package.json", "package-lock.json", "check.mjs")) {
      Files.copy(sourceDir().resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(dir.resolve("node_modules/@contentauth/c2pa-wasm"))) {
      Process npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
          .directory(dir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("npm-ci.log").toFile())
          .start();
      if (!npm.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES) || npm.exitValue() != 0) {
        npm.destroyForcibly();
        fail("npm ci --ignore-scripts in " + dir + " failed:\n" + Files.readString(dir.resolve("npm-ci.log")));
      }
    }
    return new C2paCheck(dir);
  }

  /** c2pa-rs's results for {@code pngs}, trust checked against {@code trustAnchorPem} when given. */
  public List<Result> check(List<Path> pngs, Optional<Path> trustAnchorPem) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", dir.resolve("check.mjs").toString()));
    if (trustAnchorPem.isPresent()) {
      command.add("--trust-anchors");
      command.add(trustAnchorPem.get().toAbsolutePath().toString());
    }
    pngs.forEach(p -> command.add(p.toAbsolutePath().toString()));
    Path out = Files.createTempFile(dir, "check", ".jsonl");
    Path err = Files.createTempFile(dir, "check", ".err");
    Process node = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    if (!node.waitFor(CHECK_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      node.destroyForcibly();
      fail("check.mjs did not finish in " + CHECK_TIMEOUT_MINUTES + " minutes: " + command);
    }
    List<Result> results = new ArrayList<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = JSON.readTree(line);
      results.add(new Result(n.path("file").asText(), n.path("present").asBoolean(),
          n.path("validationState").isNull() ? null : n.path("validationState").asText(null), texts(n.path("failure")),
          texts(n.path("success")), texts(n.path("informational")), n.path("error").asText(null), line));
    }
    if (results.size() != pngs.size()) {
      fail("check.mjs printed " + results.size() + " results for " + pngs.size() + " files; stderr:\n"
          + Files.readString(err));
    }
    Files.delete(out);
    Files.delete(err);
    return results;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static Path moduleDir() {
    String repo = System.getProperty("kiln.repo.dir");
    return repo != null ? Path.of(repo, "provenance") : Path.of("").toAbsolutePath();
  }

  private static void requireTool(String tool) throws InterruptedException {
    boolean found;
    try {
      Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      found = p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
    } catch (IOException e) {
      found = false;
    }
    if (!found) {
      String reason = "'" + tool + "' is not on the PATH; the C2PA reference check (c2pa-wasm) needs Node.js and npm";
      if ("true".equals(System.getenv("CI"))) {
        fail(reason + " (CI=true: this check must run)");
      }
      Assumptions.abort(reason);
    }
  }
}
