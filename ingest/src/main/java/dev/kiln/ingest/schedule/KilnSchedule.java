package dev.kiln.ingest.schedule;

import picocli.CommandLine;

/** Runs {@link ScheduleCommand} on its own: {@code java -cp ... dev.kiln.ingest.schedule.KilnSchedule --config schedules.json}. */
public final class KilnSchedule {
  private KilnSchedule() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScheduleCommand()).execute(args));
  }
}
