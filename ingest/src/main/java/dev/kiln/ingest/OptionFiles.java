package dev.kiln.ingest;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Reads an operator's file that a command-line option names (API keys, quotas, webhooks), and
 * turns each way it can fail into a usage error that starts with the option: {@code --quotas
 * q.txt: no such file}, {@code ...: cannot read: ...}, or the reader's own message after the option
 * (the readers start it with {@code file:line:}).
 */
public final class OptionFiles {
  /** Reads and checks one file. */
  @FunctionalInterface
  public interface Reader<T> {
    /**
     * @throws IllegalArgumentException for content that is not valid, saying where and why
     */
    T read(Path file) throws IOException;
  }

  private OptionFiles() {}

  /** {@code reader}'s result for {@code file}, which {@code option} of {@code spec}'s command named. */
  public static <T> T read(CommandSpec spec, String option, Path file, Reader<T> reader) {
    try {
      return reader.read(file);
    } catch (NoSuchFileException e) {
      throw new ParameterException(spec.commandLine(), option + " " + file + ": no such file");
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), option + " " + file + ": cannot read: " + e);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), option + " " + e.getMessage());
    }
  }
}
