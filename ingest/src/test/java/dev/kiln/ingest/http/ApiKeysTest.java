package dev.kiln.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  Path file(String text) throws Exception {
    Path file = dir.resolve("keys.txt");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsKeyTenantLinesSkippingCommentsAndBlankLines() throws Exception {
    ApiKeys keys = ApiKeys.load(file("# production keys\n\nacme-key-0123456789abcdef acme\n"
        + "  globex-key-0123456789abcdef\tglobex  \n"));

    assertThat(keys.tenantOf("acme-key-0123456789abcdef")).hasValue("acme");
    assertThat(keys.tenantOf("globex-key-0123456789abcdef")).hasValue("globex");
    assertThat(keys.tenantOf("acme-key-0123456789abcdeX")).isEmpty();
    assertThat(keys.tenantOf(null)).isEmpty();
    assertThat(keys).hasToString("ApiKeys{2 keys for 2 tenants}");
  }

  @Test
  void rejectsALineWithoutTenantNamingFileAndLine() throws Exception {
    Path file = file("# keys\nacme-key-0123456789abcdef\n");

    assertThatThrownBy(() -> ApiKeys.load(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ":2: expected \"KEY TENANT\", got 1 word");
  }

  @Test
  void rejectsShortKeysBadTenantsAndDuplicatesWithoutPrintingTheKey() throws Exception {
    Path shortKey = file("abc acme\n");
    assertThatThrownBy(() -> ApiKeys.load(shortKey))
        .hasMessage(shortKey + ":1: key must be at least 16 characters, e.g. from `openssl rand -hex 24`");

    Path badTenant = file("acme-key-0123456789abcdef ../acme\n");
    assertThatThrownBy(() -> ApiKeys.load(badTenant))
        .hasMessageStartingWith(badTenant + ":1: tenant: must be 1-64 characters of A-Z a-z 0-9 . _ -");

    Path duplicate = file("acme-key-0123456789abcdef acme\nacme-key-0123456789abcdef globex\n");
    assertThatThrownBy(() -> ApiKeys.load(duplicate))
        .hasMessage(duplicate + ":2: the key on this line is already on line 1");

    assertThatThrownBy(() -> ApiKeys.of(Map.of("short", "acme"))).hasMessageNotContaining("short");
  }

  @Test
  void rejectsAFileWithoutKeys() throws Exception {
    Path empty = file("# nothing yet\n");

    assertThatThrownBy(() -> ApiKeys.load(empty)).hasMessage(empty + ": no API keys; add lines of \"KEY TENANT\"");
  }
}
