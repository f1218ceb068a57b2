package dev.kiln.deploy.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Waits for a batch's gallery pages ({@code index.html}, then {@code page-2.html} and on) in the local
 * S3 server's data directory to show every image the safety job stored for the batch.
 *
 * <p>The safety job rewrites a page at most once per {@code kiln.gallery.debounce}, so when the
 * batch's last result arrives the page may still lack the last images; {@code kiln local} cancels the
 * jobs right after that, and without this wait the page it leaves behind can show a fraction of the
 * batch. Every image the safety job published or quarantined is a {@code .png} under the batch's
 * {@code assets/} or {@code quarantine/} prefix before its result is committed, so those files say
 * which tiles the page must have. Images the render job rejected or failed never reach the gallery.
 */
final class GalleryCatchUp {
  private static final Duration POLL = Duration.ofMillis(200);

  private GalleryCatchUp() {}

  /** The image ids of the {@code .png} objects in each directory; a directory that does not exist has none. */
  static Set<String> storedImageIds(Path... batchDirectories) throws IOException {
    Set<String> ids = new TreeSet<>();
    for (Path dir : batchDirectories) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".png"))
            .forEach(n -> ids.add(n.substring(0, n.length() - ".png".length())));
      }
    }
    return ids;
  }

  /**
   * The ids in {@code imageIds} that the gallery has no tile for, on {@code page} (the batch's
   * {@code index.html}) or on any of its further pages ({@code page-2.html} and on, beside it); all
   * of them when the first page does not exist. A tile is the element {@code id="image-{imageId}"}
   * that {@code GalleryPage} writes; image ids are limited to characters that HTML escaping leaves
   * alone.
   */
  static Set<String> missingTiles(Path page, Set<String> imageIds) throws IOException {
    StringBuilder html = new StringBuilder();
    try {
      // Lenient decoding: a page caught halfway through a rewrite may end inside a character.
      html.append(new String(Files.readAllBytes(page), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return new TreeSet<>(imageIds);
    }
    try (Stream<Path> siblings = Files.list(page.getParent())) {
      for (Path other : siblings.filter(f -> f.getFileName().toString().matches("page-[0-9]+\\.html")).toList()) {
        try {
          html.append(new String(Files.readAllBytes(other), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
          // Replaced between the listing and the read: the next check sees the new one.
        }
      }
    }
    Set<String> missing = new TreeSet<>();
    for (String id : imageIds) {
      if (html.indexOf("id=\"image-" + id + "\"") < 0) {
        missing.add(id);
      }
    }
    return missing;
  }

  /**
   * Checks {@code page} until it has a tile for each of {@code imageIds} or {@code timeout} has passed;
   * checks once when the timeout is zero.
   *
   * @return the ids still without a tile: empty when the page caught up
   */
  static Set<String> await(Path page, Set<String> imageIds, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> missing = missingTiles(page, imageIds);
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(POLL.toMillis());
      missing = missingTiles(page, imageIds);
    }
    return missing;
  }
}
