package dev.kiln.deploy.cli;

import dev.kiln.ingest.watch.BatchProgress;
import dev.kiln.schemas.ResultStatus;

/** One line of batch progress: a bar, the percentage and the counts by status. */
final class ProgressLine {
  private static final int WIDTH = 30;

  private ProgressLine() {}

  static String format(BatchProgress p, Integer expected) {
    String counts = "published " + p.count(ResultStatus.PUBLISHED) + ", rejected " + p.count(ResultStatus.REJECTED)
        + ", failed " + p.count(ResultStatus.FAILED);
    if (expected == null || expected <= 0) {
      return p.batchId() + ": " + p.total() + " results (" + counts + ")";
    }
    int done = Math.min(p.total(), expected);
    int filled = (int) Math.round(WIDTH * (double) done / expected);
    return p.batchId() + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
        + String.format("%3d%%", 100 * done / expected) + " " + done + "/" + expected + " (" + counts + ")";
  }
}
