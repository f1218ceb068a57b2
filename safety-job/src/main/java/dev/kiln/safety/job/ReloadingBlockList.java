package dev.kiln.safety.job;

import dev.kiln.safety.pdq.HashBlockList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A block list read from a file and read again when the file changes, checked at most every
 * {@code interval}: trust-and-safety teams add hashes while jobs run. A file that turns bad keeps
 * the last good list and logs why; a missing file is an empty list.
 */
final class ReloadingBlockList implements Supplier<HashBlockList> {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingBlockList.class);
  private static final HashBlockList EMPTY = HashBlockList.fromLines(List.of());

  private final Path file;
  private final long intervalNanos;
  private HashBlockList current = EMPTY;
  private FileTime loadedVersion;
  private long checkedAt;

  ReloadingBlockList(Path file, Duration interval) {
    this.file = file;
    this.intervalNanos = interval.toNanos();
    this.checkedAt = System.nanoTime() - intervalNanos;
  }

  @Override
  public synchronized HashBlockList get() {
    long now = System.nanoTime();
    if (file == null || now - checkedAt < intervalNanos) {
      return current;
    }
    checkedAt = now;
    try {
      FileTime version = Files.exists(file) ? Files.getLastModifiedTime(file) : null;
      if (version == null) {
        current = EMPTY;
      } else if (!version.equals(loadedVersion)) {
        current = HashBlockList.fromFile(file);
        LOG.info("block list {}: {} hashes", file, current.size());
      }
      loadedVersion = version;
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      LOG.error("block list {} not reloaded, keeping {} hashes: {}", file, current.size(), e.getMessage());
    }
    return current;
  }
}
