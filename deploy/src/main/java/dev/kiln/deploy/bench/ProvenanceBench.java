package dev.kiln.deploy.bench;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.engine.PngEncoder;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.LocalCa;
import dev.kiln.provenance.c2pa.SigningIdentity;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What provenance costs beside the model, per image at the size given (default 512x512): the CPU
 * of kiln-tiny rendering it (20 steps, batch 1, one ONNX Runtime thread), of embedding the
 * watermark in its pixels (what the render job does before staging), of encoding the PNG (for
 * scale), and of signing its C2PA manifest (what the safety job does after approval). Watermark,
 * PNG and signing are the calls the jobs make, timed as this thread's CPU; the model as the
 * process's CPU over the render. Several runs, interleaved, after a warm-up; the median is the
 * figure.
 */
public final class ProvenanceBench {
  private ProvenanceBench() {}

  public static void main(String[] args) throws Exception {
    int images = 12;
    int size = 512;
    int steps = 20;
    int runs = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[++i]);
        case "--size" -> size = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; allowed: --images N, --size PX, --steps N, --runs N");
      }
    }
    Path models = Path.of(System.getProperty("kiln.repo.dir", ".")).resolve("models");
    Path dir = Files.createTempDirectory("kiln-provenance-bench");
    SigningIdentity signer = LocalCa.createIfAbsent(dir.resolve("ca")).signingIdentity();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<double[]> perRun = new ArrayList<>();
    try (DiffusionEngine engine = DiffusionEngine.load(EngineOptions.builder()
        .setModelDir(models.resolve("kiln-tiny")).optIntraOpThreads(1).build())) {
      for (int run = 0; run <= runs; run++) { // run 0 warms up
        double model = 0;
        double mark = 0;
        double png = 0;
        double sign = 0;
        for (int i = 0; i < images; i++) {
          String imageId = "bench-" + run + "-" + i;
          GenerationRequest request = new GenerationRequest("a large red circle on a blue background", "", size,
              size, steps, 3f, 1000L * run + i);
          long p0 = os.getProcessCpuTime();
          GeneratedImage image = engine.generate(List.of(request)).get(0);
          model += os.getProcessCpuTime() - p0;

          long t0 = cpu.getCurrentThreadCpuTime();
          byte[] marked = Watermark.embedRgb(image.rgb(), size, size, Payload.of(1, imageId));
          long t1 = cpu.getCurrentThreadCpuTime();
          byte[] file = PngEncoder.encode(new GeneratedImage(size, size, marked), null, Map.of(),
              PngEncoder.DEFAULT_COMPRESSION_LEVEL);
          long t2 = cpu.getCurrentThreadCpuTime();
          KilnAssertion a = new KilnAssertion("kiln-tiny", "0".repeat(64), request.seed(), steps, 3f, "DDIMScheduler",
              size, size, "bench", "run-" + run, imageId, "APPROVED", "default", "1", null, Instant.now(),
              Payload.of(1, imageId).toText());
          byte[] signed = ContentCredentials.sign(file, a, signer);
          long t3 = cpu.getCurrentThreadCpuTime();
          if (signed.length <= file.length) {
            throw new IllegalStateException("signing added nothing to " + imageId);
          }
          mark += t1 - t0;
          png += t2 - t1;
          sign += t3 - t2;
        }
        double[] ms = {model / images / 1e6, mark / images / 1e6, png / images / 1e6, sign / images / 1e6};
        if (run > 0) {
          perRun.add(ms);
          System.out.printf(Locale.ROOT, "run %d: model %.1f ms, watermark %.2f ms, png %.2f ms, sign %.2f ms CPU"
              + " per image%n", run, ms[0], ms[1], ms[2], ms[3]);
        }
      }
    }
    System.out.printf(Locale.ROOT, "setup: kiln-tiny %dx%d, %d steps, batch 1, 1 ONNX Runtime thread, %d images per"
        + " run, %d runs after a warm-up run%n", size, size, steps, images, runs);
    double model = median(perRun, 0);
    double mark = median(perRun, 1);
    double png = median(perRun, 2);
    double sign = median(perRun, 3);
    System.out.printf(Locale.ROOT, "median CPU per image: model %.1f ms; watermark %.2f ms + C2PA signing %.2f ms"
        + " = %.2f ms (%.2f%% of the model's); PNG encode %.2f ms for scale%n",
        model, mark, sign, mark + sign, 100 * (mark + sign) / model, png);
  }

  private static double median(List<double[]> runs, int column) {
    List<Double> values = new ArrayList<>();
    runs.forEach(r -> values.add(r[column]));
    values.sort(null);
    return values.get(values.size() / 2);
  }
}
