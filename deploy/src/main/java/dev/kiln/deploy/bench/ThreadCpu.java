package dev.kiln.deploy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where a bench's CPU time went: per-thread user+system time read from {@code /proc/self/task}
 * (Linux only), so ONNX Runtime's native threads count as well as Java's. Threads are grouped by
 * name with their numbers stripped ("kafka-network-thread-1-ListenerName..." and "-2" are one
 * group); native threads carry the name of the thread that started them.
 */
final class ThreadCpu {
  /** Linux's USER_HZ, the unit of utime and stime in /proc; 100 on every mainstream kernel build. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final Map<Long, Sample> threads;

  private record Sample(String name, long ticks) {}

  private ThreadCpu(Map<Long, Sample> threads) {
    this.threads = threads;
  }

  /** The CPU time of every live thread of this process; empty where /proc is not there. */
  static ThreadCpu snapshot() {
    Map<Long, Sample> threads = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return new ThreadCpu(threads);
    }
    try (Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          // pid (comm) state ...: comm may hold spaces and parentheses, so split at the last ')'.
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String[] rest = stat.substring(close + 2).split(" ");
          long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
          threads.put(Long.parseLong(task.getFileName().toString()), new Sample(stat.substring(open + 1, close), ticks));
        } catch (IOException | RuntimeException e) {
          // The thread ended between the listing and the read; it is left out of this snapshot.
        }
      }
    } catch (IOException e) {
      return new ThreadCpu(threads);
    }
    return new ThreadCpu(threads);
  }

  /** CPU seconds per thread group between {@code before} and this snapshot, largest first. */
  List<Map.Entry<String, Double>> since(ThreadCpu before) {
    Map<String, Double> groups = new TreeMap<>();
    for (Map.Entry<Long, Sample> e : threads.entrySet()) {
      Sample then = before.threads.get(e.getKey());
      long ticks = e.getValue().ticks() - (then == null ? 0 : then.ticks());
      if (ticks > 0) {
        groups.merge(group(e.getValue().name()), ticks / TICKS_PER_SECOND, Double::sum);
      }
    }
    List<Map.Entry<String, Double>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    return sorted;
  }

  /** CPU seconds of the whole process between {@code before} and this snapshot: every thread's, summed. */
  double totalSince(ThreadCpu before) {
    return since(before).stream().mapToDouble(Map.Entry::getValue).sum();
  }

  /** A thread's name without its numbers: "qtp123-45" and "qtp123-46" are one pool. */
  static String group(String name) {
    String g = name.replaceAll("\\d+", "#").replaceAll("#(?:[-_.#]#)+", "#").trim();
    return g.isEmpty() ? "(unnamed)" : g;
  }

  /**
   * Prints the groups that took at least 1% of the CPU time between {@code before} and now, in
   * seconds and in milliseconds per image.
   */
  static void print(String title, ThreadCpu before, ThreadCpu after, int images) {
    List<Map.Entry<String, Double>> groups = after.since(before);
    double total = groups.stream().mapToDouble(Map.Entry::getValue).sum();
    if (total == 0) {
      System.out.printf("%s: no per-thread CPU figures (/proc/self/task not readable)%n", title);
      return;
    }
    System.out.printf("%s: %.1f CPU s in all, %.2f CPU ms per image%n", title, total, 1000 * total / images);
    double other = 0;
    for (Map.Entry<String, Double> g : groups) {
      if (g.getValue() < 0.01 * total) {
        other += g.getValue();
        continue;
      }
      System.out.printf("  %-18s %6.2f s  %6.2f ms/image  %4.1f%%%n", g.getKey(), g.getValue(),
          1000 * g.getValue() / images, 100 * g.getValue() / total);
    }
    System.out.printf("  %-18s %6.2f s  %6.2f ms/image  %4.1f%%%n", "(smaller groups)", other, 1000 * other / images,
        100 * other / total);
  }
}
