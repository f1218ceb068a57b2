package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.storage.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The S3 secret key comes from a file or the environment, never from a command-line value. */
class S3OptionsTest {
  static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

  @TempDir Path dir;

  @Command(name = "probe")
  static final class Probe {
    @Mixin S3Options s3;

    Probe(Map<String, String> env) {
      s3 = new S3Options(env::get);
    }
  }

  static S3Settings parse(Map<String, String> env, String... args) {
    Probe probe = new Probe(env);
    new CommandLine(probe).parseArgs(args);
    return probe.s3.settings().orElseThrow();
  }

  @Test
  void refusesASecretKeyOnTheCommandLineNamingTheAlternatives() {
    assertThatThrownBy(() -> parse(Map.of(), "--s3-bucket", "kiln", "--s3-access-key", "AKIA1",
        "--s3-secret-key", SECRET))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--s3-secret-key-file FILE")
        .hasMessageContaining("$KILN_S3_SECRET_KEY")
        .message().doesNotContain(SECRET);
  }

  @Test
  void readsTheSecretKeyFromAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("s3-secret"), SECRET + "\n");

    S3Settings settings = parse(Map.of(), "--s3-bucket", "kiln", "--s3-access-key", "AKIA1",
        "--s3-secret-key-file", file.toString());

    assertThat(settings.secretKey()).hasValue(SECRET);
    assertThat(settings.accessKey()).hasValue("AKIA1");
  }

  @Test
  void readsTheSecretKeyFromTheEnvironment() {
    S3Settings settings = parse(Map.of("KILN_S3_SECRET_KEY", SECRET), "--s3-bucket", "kiln",
        "--s3-access-key", "AKIA1");

    assertThat(settings.secretKey()).hasValue(SECRET);
  }

  @Test
  void aMissingOrEmptySecretFileIsNamed() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");

    assertThatThrownBy(() -> parse(Map.of(), "--s3-bucket", "kiln", "--s3-access-key", "AKIA1",
        "--s3-secret-key-file", dir.resolve("missing").toString()))
        .hasMessage("--s3-secret-key-file " + dir.resolve("missing") + ": no such file");
    assertThatThrownBy(() -> parse(Map.of(), "--s3-bucket", "kiln", "--s3-access-key", "AKIA1",
        "--s3-secret-key-file", empty.toString()))
        .hasMessageStartingWith("--s3-secret-key-file " + empty + " is empty");
  }
}
