package dev.kiln.deploy.cli;

import dev.kiln.deploy.cluster.KilnStack;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kiln down}: cancels both jobs (their checkpoints stay for the next {@code kiln up}) and stops every process. */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop what `kiln up` started; checkpoints, objects and the broker log stay in the data dir.")
public final class DownCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "kiln-data", description = "The stack's data dir (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws IOException {
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".")).toAbsolutePath().normalize();
    Optional<KilnStack> stack = KilnStack.find(dataDir, repo);
    if (stack.isEmpty()) {
      System.out.println("kiln down: no stack recorded under " + dataDir.toAbsolutePath() + "; nothing to stop");
      return 0;
    }
    System.out.println("kiln down: " + dataDir.toAbsolutePath());
    List<String> killed = stack.get().down(System.out);
    System.out.println(killed.isEmpty() ? "stopped" : "stopped; killed after the grace period: " + killed);
    return 0;
  }
}
