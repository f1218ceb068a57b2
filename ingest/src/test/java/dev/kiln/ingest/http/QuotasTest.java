package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.ingest.http.Quotas.Limit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuotasTest {
  @TempDir Path dir;

  @Test
  void aQuotasFileOverridesTheDefaultsPerTenant() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas.txt"), "# tenant images pixel-steps\n"
        + "acme 5000 -\n\nglobex 0 1_000_000\n");

    Quotas quotas = Quotas.load(file, new Limit(100, 42));

    assertThat(quotas.of("acme")).isEqualTo(new Limit(5000, 42));
    assertThat(quotas.of("globex")).isEqualTo(new Limit(0, 1_000_000));
    assertThat(quotas.of("initech")).isEqualTo(new Limit(100, 42));
  }

  @Test
  void aBadLineIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("quotas.txt"), "acme 10 10\nacme 5 5\n");
    Path words = Files.writeString(dir.resolve("words.txt"), "acme ten 10\n");

    assertThatThrownBy(() -> Quotas.load(file, Limit.UNLIMITED))
        .hasMessage(file + ":2: tenant acme is already on line 1");
    assertThatThrownBy(() -> Quotas.load(words, Limit.UNLIMITED))
        .hasMessage(words + ":1: images per hour must be a whole number, 0 (unlimited) or - (the default),"
            + " got \"ten\"");
  }
}
