package dev.kiln.deploy;

import dev.kiln.deploy.cli.LocalCommand;
import dev.kiln.deploy.cli.WatchCommand;
import dev.kiln.ingest.SubmitCommand;
import dev.kiln.render.cli.RenderCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command: every Kiln tool as a subcommand. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
    description = "Batch text-to-image rendering on Kafka, Flink, DJL and S3.",
    subcommands = {LocalCommand.class, RenderCommand.class, SubmitCommand.class, WatchCommand.class})
public final class KilnCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: local, render, submit or watch");
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new KilnCli()).execute(args));
  }
}
