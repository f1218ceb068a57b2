package dev.kiln.ingest.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.ingest.RequestDefaults;
import dev.kiln.schemas.RenderRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogueTest {
  private static final RequestDefaults DEFAULTS = new RequestDefaults("local", "b1", "kiln-tiny", "", 64, 64, 20,
      3f, null, 2, Map.of(), Instant.parse("2026-11-22T00:00:00Z"));

  @TempDir Path dir;

  private Catalogue catalogue(String text, CatalogueSpec spec) throws IOException {
    Path file = dir.resolve("catalogue.csv");
    Files.writeString(file, text);
    return new Catalogue(file, Catalogue.Format.CSV, spec, DEFAULTS);
  }

  private static CatalogueSpec spec(String template) {
    return CatalogueSpec.builder().setTemplate(Template.parse(template)).build();
  }

  @Test
  void countsRowsRequestsAndImagesWithoutEmittingAnything() throws IOException {
    Catalogue catalogue = catalogue("sku,product\nA,mug\nB,kettle\nC,\n", CatalogueSpec.builder()
        .setTemplate(Template.parse("a {product}")).optSizes(List.of(new Size(64, 64), new Size(128, 128))).build());

    Catalogue.Check check = catalogue.check();

    assertThat(check.rows()).isEqualTo(3);
    assertThat(check.requests()).isEqualTo(4);
    assertThat(check.images()).isEqualTo(8);
    assertThat(check.rejected()).extracting(Catalogue.RejectedRow::line).containsExactly(4);
    assertThat(check.publishable(false)).isFalse();
    assertThat(check.publishable(true)).isTrue();
  }

  @Test
  void emitsTheRowsTheCheckAcceptedInFileOrder() throws Exception {
    Catalogue catalogue = catalogue("sku,product\nA,mug\nB,\nC,kettle\n", spec("a {product}"));
    List<RenderRequest> emitted = new ArrayList<>();

    int n = catalogue.emit(catalogue.check(), emitted::add);

    assertThat(n).isEqualTo(2);
    assertThat(emitted).extracting(RenderRequest::getPrompt).containsExactly("a mug", "a kettle");
  }

  @Test
  void emitNoticesAFileThatChangedAfterTheCheck() throws Exception {
    Catalogue catalogue = catalogue("sku,product\nA,mug\nB,kettle\n", spec("a {product}"));
    Catalogue.Check check = catalogue.check();
    Files.writeString(dir.resolve("catalogue.csv"), "sku,product\nA,mug\nB,\n");
    List<RenderRequest> emitted = new ArrayList<>();

    assertThatThrownBy(() -> catalogue.emit(check, emitted::add))
        .isInstanceOf(IOException.class)
        .hasMessage(dir.resolve("catalogue.csv") + " changed while it was being published: the first reading"
            + " found 2 rows, the second 2 and line 3 was valid on the first reading, now: empty, but the"
            + " template uses {product}");
    assertThat(emitted).hasSize(1);
  }

  @Test
  void reportsAnInvalidDefaultOnceForTheWholeFile() throws IOException {
    RequestDefaults badTenant = new RequestDefaults("../x", "b1", "kiln-tiny", "", 64, 64, 20, 3f, null, 1,
        Map.of(), Instant.parse("2026-11-22T00:00:00Z"));
    Path file = dir.resolve("catalogue.csv");
    Files.writeString(file, "sku,product\nA,mug\nB,kettle\n");

    Catalogue.Check check = new Catalogue(file, Catalogue.Format.CSV, spec("a {product}"), badTenant).check();

    assertThat(check.errorLines()).containsExactly(
        file + ": field \"tenant\": must be 1-64 characters of A-Z a-z 0-9 . _ -, got \"../x\"");
  }

  @Test
  void findsTheFormatByExtension() {
    assertThat(Catalogue.Format.of(Path.of("a/Products.CSV"))).contains(Catalogue.Format.CSV);
    assertThat(Catalogue.Format.of(Path.of("a.jsonl"))).contains(Catalogue.Format.JSON_LINES);
    assertThat(Catalogue.Format.of(Path.of("a.ndjson"))).contains(Catalogue.Format.JSON_LINES);
    assertThat(Catalogue.Format.of(Path.of("a.txt"))).isEmpty();
  }
}
