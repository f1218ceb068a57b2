package dev.kiln.render.engine.bench;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.EngineStats;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.engine.internal.NoiseGenerator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Java side of bench/sd-parity: runs the engine on an SD-shaped export and writes what
 * models/sd-shaped/reference.py writes, for the bench to compare. Prints figures; asserts nothing.
 *
 * <pre>
 * parity --model DIR --out FILE --steps N --guidance G --size S --seeds 1,2 --prompts "a|b" [--scheduler CLASS]
 *     writes FILE (decoded images [n, 3, S, S], float32 little-endian) and FILE.noise (initial latents)
 * cost --model DIR --size 512 --threads 2
 *     prints resident memory after loading, and CPU seconds and wall seconds per UNet step at
 *     UNet batch 1 and 2 (no guidance), as the difference of a 1-step and a 3-step run
 * </pre>
 */
public final class SdParity {
  private SdParity() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Path model = Path.of(a.get("model"));
    int size = Integer.parseInt(a.getOrDefault("size", "256"));
    EngineOptions.Builder options = EngineOptions.builder().setModelDir(model);
    if (a.containsKey("scheduler")) {
      options.optScheduler(a.get("scheduler"));
    }
    if (a.containsKey("threads")) {
      options.optIntraOpThreads(Integer.parseInt(a.get("threads")));
    }
    long t0 = System.nanoTime();
    try (DiffusionEngine engine = DiffusionEngine.load(options.build())) {
      double loadS = (System.nanoTime() - t0) / 1e9;
      if ("cost".equals(args[0])) {
        cost(engine, size, loadS);
      } else {
        parity(engine, a, size, loadS);
      }
    }
  }

  private static List<GenerationRequest> requests(String[] prompts, long[] seeds, int size, int steps, float g) {
    List<GenerationRequest> batch = new ArrayList<>();
    for (int i = 0; i < seeds.length; i++) {
      batch.add(new GenerationRequest(prompts[i % prompts.length], "", size, size, steps, g, seeds[i]));
    }
    return batch;
  }

  private static void parity(DiffusionEngine engine, Map<String, String> a, int size, double loadS)
      throws IOException {
    String[] seedText = a.getOrDefault("seeds", "1,2").split(",");
    long[] seeds = new long[seedText.length];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = Long.parseLong(seedText[i]);
    }
    int steps = Integer.parseInt(a.getOrDefault("steps", "1"));
    float guidance = Float.parseFloat(a.getOrDefault("guidance", "7.5"));
    long t0 = System.nanoTime();
    List<float[]> images = engine.generateDecoded(requests(a.getOrDefault("prompts", "a red circle|a blue square")
        .split("\\|"), seeds, size, steps, guidance));
    double genS = (System.nanoTime() - t0) / 1e9;
    Path out = Path.of(a.get("out"));
    write(out, images);
    int lh = size / 8;
    List<float[]> noise = new ArrayList<>();
    for (long seed : seeds) {
      noise.add(NoiseGenerator.standardNormal(seed, 4 * lh * lh));
    }
    write(Path.of(out + ".noise"), noise);
    System.out.printf(Locale.ROOT, "java %s: %d images %dx%d, %d steps (%d UNet calls), guidance %.1f, load %.1f s, "
            + "generate %.1f s -> %s%n", engine.modelDir().getFileName(), seeds.length, size, size, steps,
        engine.stats().unetCalls(), guidance, loadS, genS, out);
  }

  private static void cost(DiffusionEngine engine, int size, double loadS) {
    System.out.printf(Locale.ROOT, "java %s: loaded in %.1f s, resident memory after load %d MB (VmRSS), "
        + "JVM heap used %d MB%n", engine.modelDir().getFileName(), loadS, rssKb() / 1024,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    engine.generate(requests(new String[] {"warm up"}, new long[] {0}, 64, 1, 0f));
    for (int batch = 1; batch <= 2; batch++) {
      long[] seeds = new long[batch];
      for (int i = 0; i < batch; i++) {
        seeds[i] = 100 + i;
      }
      String[] prompts = {"a red circle", "a blue square"};
      double[] cpu = new double[2];
      double[] wall = new double[2];
      long[] calls = new long[2];
      int[] steps = {1, 3};
      for (int k = 0; k < 2; k++) {
        EngineStats before = engine.stats();
        double c0 = processCpuSeconds();
        long w0 = System.nanoTime();
        engine.generate(requests(prompts, seeds, size, steps[k], 0f));
        wall[k] = (System.nanoTime() - w0) / 1e9;
        cpu[k] = processCpuSeconds() - c0;
        calls[k] = engine.stats().minus(before).unetCalls();
      }
      double perCallCpu = (cpu[1] - cpu[0]) / (calls[1] - calls[0]);
      double perCallWall = (wall[1] - wall[0]) / (calls[1] - calls[0]);
      System.out.printf(Locale.ROOT, "unet %dx%d batch %d: %.2f CPU s/step, %.2f wall s/step (%d vs %d UNet calls; "
              + "whole 1-step generate %.1f CPU s, %.1f wall s); RSS now %d MB%n", size, size, batch, perCallCpu,
          perCallWall, calls[1], calls[0], cpu[0], wall[0], rssKb() / 1024);
    }
  }

  private static double processCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  private static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  private static void write(Path file, List<float[]> arrays) throws IOException {
    int total = arrays.stream().mapToInt(x -> x.length).sum();
    ByteBuffer buf = ByteBuffer.allocate(total * 4).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 0;
    for (float[] x : arrays) {
      for (float v : x) {
        buf.putFloat(pos, v);
        pos += 4;
      }
    }
    Files.write(file, buf.array());
  }
}
