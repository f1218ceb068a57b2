package dev.kiln.deploy.cli;

import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.schemas.ResultStatus;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One line of batch progress: a bar, the percentage, counts by status (and the duplicate results,
 * when there are any), the rate since watching started and, when the total is known, an ETA.
 */
final class ProgressLine {
  private static final int WIDTH = 30;
  private final BatchProgress progress;
  private final Integer expected;
  private final LongSupplier nanoClock;
  private final long startNanos;
  private final int startCount;

  ProgressLine(BatchProgress progress, Integer expected) {
    this(progress, expected, System::nanoTime);
  }

  ProgressLine(BatchProgress progress, Integer expected, LongSupplier nanoClock) {
    this.progress = progress;
    this.expected = expected;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
    this.startCount = progress.total();
  }

  String render() {
    BatchProgress p = progress;
    String counts = "published " + p.count(ResultStatus.PUBLISHED) + ", rejected " + p.count(ResultStatus.REJECTED)
        + ", failed " + p.count(ResultStatus.FAILED) + (p.duplicates() > 0 ? ", duplicates " + p.duplicates() : "");
    double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
    int seen = p.total() - startCount;
    double rate = seconds > 0 ? seen / seconds : 0;
    String rateText = String.format("%.1f/s", rate);
    if (expected == null || expected <= 0) {
      return p.batchId() + ": " + p.total() + " results (" + counts + ") " + rateText;
    }
    int done = Math.min(p.total(), expected);
    int filled = (int) Math.round(WIDTH * (double) done / expected);
    String eta = done >= expected ? "done" : rate > 0 ? "ETA " + format(Duration.ofSeconds(
        (long) Math.ceil((expected - done) / rate))) : "ETA --";
    return p.batchId() + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
        + String.format("%3d%%", 100 * done / expected) + " " + done + "/" + expected + " (" + counts + ") "
        + rateText + " " + eta;
  }

  static String format(Duration d) {
    long s = d.getSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
