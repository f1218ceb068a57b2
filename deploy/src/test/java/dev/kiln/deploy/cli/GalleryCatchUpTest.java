package dev.kiln.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.safety.gallery.GalleryEntry;
import dev.kiln.safety.gallery.GalleryPage;
import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GalleryCatchUpTest {
  @TempDir Path dir;

  /** The page the safety job writes for these results; no image bytes, so published tiles show a placeholder. */
  Path page(RenderResult... results) throws Exception {
    List<GalleryPage.Tile> tiles = Arrays.stream(results)
        .map(r -> new GalleryPage.Tile(GalleryEntry.of(r), null)).toList();
    byte[] html = GalleryPage.render(new GalleryPage.Header("local", "b1", null, Instant.EPOCH), tiles);
    return Files.write(dir.resolve("index.html"), html);
  }

  static RenderResult result(String imageId, ResultStatus status) {
    return ProgressLineTest.result(imageId, status);
  }

  @Test
  void storedImagesAreThePngsOfAssetsAndQuarantine() throws Exception {
    Path assets = Files.createDirectories(dir.resolve("assets"));
    Path quarantine = Files.createDirectories(dir.resolve("quarantine"));
    Files.write(assets.resolve("r1-0.png"), new byte[0]);
    Files.write(assets.resolve("r1-0.json"), new byte[0]);
    Files.write(assets.resolve("index.html"), new byte[0]);
    Files.write(quarantine.resolve("r2-0.png"), new byte[0]);
    Files.write(quarantine.resolve("r2-0.json"), new byte[0]);

    assertThat(GalleryCatchUp.storedImageIds(assets, quarantine, dir.resolve("no-such-dir")))
        .containsExactly("r1-0", "r2-0");
  }

  @Test
  void aPageWithATileForEveryStoredImageHasCaughtUp() throws Exception {
    Path page = page(result("r1-0", ResultStatus.PUBLISHED), result("r2-0", ResultStatus.REJECTED),
        result("r3-0", ResultStatus.FAILED));

    assertThat(GalleryCatchUp.await(page, Set.of("r1-0", "r2-0"), Duration.ZERO)).isEmpty();
  }

  @Test
  void aPageWithoutTheLastImagesNamesThem() throws Exception {
    Path page = page(result("r1-0", ResultStatus.PUBLISHED));

    assertThat(GalleryCatchUp.await(page, Set.of("r1-0", "r10-0", "r2-0"), Duration.ZERO))
        .containsExactly("r10-0", "r2-0");
  }

  @Test
  void aPageNotWrittenYetLacksEveryImage() throws Exception {
    assertThat(GalleryCatchUp.await(dir.resolve("index.html"), Set.of("r1-0"), Duration.ZERO))
        .containsExactly("r1-0");
  }

  @Test
  void tilesOnTheFurtherPagesOfALargeBatchCount() throws Exception {
    page(result("r1-0", ResultStatus.PUBLISHED));
    List<GalleryPage.Tile> second = List.of(new GalleryPage.Tile(GalleryEntry.of(result("r2-0",
        ResultStatus.PUBLISHED)), null));
    Files.write(dir.resolve("page-2.html"),
        GalleryPage.render(new GalleryPage.Header("local", "b1", null, Instant.EPOCH), second));

    assertThat(GalleryCatchUp.await(dir.resolve("index.html"), Set.of("r1-0", "r2-0", "r3-0"), Duration.ZERO))
        .containsExactly("r3-0");
  }
}
