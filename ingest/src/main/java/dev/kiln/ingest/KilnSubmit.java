package dev.kiln.ingest;

import picocli.CommandLine;

/** Runs {@link SubmitCommand} on its own: {@code java -cp ... dev.kiln.ingest.KilnSubmit --prompt "a red circle"}. */
public final class KilnSubmit {
  private KilnSubmit() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SubmitCommand()).execute(args));
  }
}
