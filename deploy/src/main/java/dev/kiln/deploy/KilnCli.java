package dev.kiln.deploy;

import dev.kiln.deploy.cli.DownCommand;
import dev.kiln.deploy.cli.LocalCommand;
import dev.kiln.deploy.cli.ServiceCommand;
import dev.kiln.deploy.cli.StatusCommand;
import dev.kiln.deploy.cli.TerminalSafeOutputStream;
import dev.kiln.deploy.cli.UpCommand;
import dev.kiln.deploy.cli.VerifyCommand;
import dev.kiln.deploy.cli.WatchCommand;
import dev.kiln.ingest.SubmitCommand;
import dev.kiln.ingest.audit.AuditCommand;
import dev.kiln.ingest.sweep.SweepCommand;
import dev.kiln.ingest.http.ServeCommand;
import dev.kiln.ingest.schedule.ScheduleCommand;
import dev.kiln.ingest.webhook.NotifyCommand;
import dev.kiln.render.cli.RenderCommand;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command: every Kiln tool as a subcommand. */
@Command(name = "kiln", mixinStandardHelpOptions = true, version = "kiln 0.1.0",
    description = "Batch text-to-image rendering on Kafka, Flink, DJL and S3.",
    subcommands = {LocalCommand.class, UpCommand.class, DownCommand.class, StatusCommand.class, ServiceCommand.class,
        RenderCommand.class, ScheduleCommand.class, WatchCommand.class, ServeCommand.class, NotifyCommand.class,
        AuditCommand.class, SweepCommand.class, VerifyCommand.class})
public final class KilnCli implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a subcommand: local, up, down, status, render, submit, schedule, watch, serve, notify, audit, sweep"
            + " or verify");
  }

  /** The command line with every subcommand; {@code submit --watch} shows the same progress as {@code watch}. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new KilnCli());
    cli.addSubcommand("submit", new SubmitCommand().setWatcher(WatchCommand::watchBatch));
    return cli;
  }

  /**
   * The command line writing to {@code out} and {@code err} through {@link
   * TerminalSafeOutputStream}, without colours: no value a user or tenant chose can put a control
   * character on the terminal.
   */
  public static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine cli = commandLine();
    cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
    return cli;
  }

  public static void main(String[] args) {
    // Before anything logs: log4j's console appender takes System.out as it is when it starts.
    PrintStream out = TerminalSafeOutputStream.printStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
    PrintStream err = TerminalSafeOutputStream.printStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err)));
    System.setOut(out);
    System.setErr(err);
    System.exit(commandLine(out, err).execute(args));
  }
}
