package dev.kiln.render.engine.bench;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.EngineOptions;
import dev.kiln.render.engine.EngineStats;
import dev.kiln.render.engine.GenerationRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Engine throughput on kiln-tiny: images/s at batch 1, 4 and 8 (64x64, DDIM 20 steps, guidance
 * 3, after a warm-up), time per stage, and the ratio to kiln-tiny's eager PyTorch sampler
 * (models/kiln-tiny/train/bench_torch.py) when /usr/bin/python3 has torch and the training
 * checkpoint exists. Prints figures; asserts nothing. Run with bench/engine/run.sh.
 *
 * <p>System properties: {@code kiln.repo.dir} (default "."), {@code bench.model} (default
 * models/kiln-tiny), {@code bench.images} images per batch size (default 32), {@code bench.threads}
 * ONNX Runtime intra-op threads and torch threads (default 2), {@code bench.python}
 * (default /usr/bin/python3).
 */
public final class EngineBench {
  private static final int[] BATCHES = {1, 4, 8};
  private static final int STEPS = 20;
  private static final float GUIDANCE = 3f;
  private static final String PROMPT = "a large red circle on a blue background";
  private static final Pattern TORCH_LINE = Pattern.compile("batch=(\\d+) images_per_s=([0-9.]+).*");

  private EngineBench() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path repo = Path.of(System.getProperty("kiln.repo.dir", ".")).toAbsolutePath().normalize();
    Path model = Path.of(System.getProperty("bench.model", repo.resolve("models/kiln-tiny").toString()));
    int imagesPerBatchSize = Integer.getInteger("bench.images", 32);
    int threads = Integer.getInteger("bench.threads", 2);
    String python = System.getProperty("bench.python", "/usr/bin/python3");

    Map<Integer, Double> java = new LinkedHashMap<>();
    try (DiffusionEngine engine = DiffusionEngine.load(EngineOptions.builder().setModelDir(model)
        .optIntraOpThreads(threads).build())) {
      System.out.printf(Locale.ROOT, "Java engine: %s, %s, ONNX Runtime intra-op threads %d, %d steps, guidance %.1f,"
          + " 64x64, model sha256 %s%n", model, engine.schedulerName(), threads, STEPS, GUIDANCE,
          engine.modelDigest().substring(0, 12));
      engine.generate(requests(8, 0));
      engine.generate(requests(1, 0));
      System.out.println("batch  images/s  text-encoder ms/call  unet ms/step (rows)  vae ms/call");
      for (int batch : BATCHES) {
        int rounds = Math.max(1, (imagesPerBatchSize + batch - 1) / batch);
        EngineStats before = engine.stats();
        long start = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
          engine.generate(requests(batch, r * batch));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        EngineStats run = engine.stats().minus(before);
        double ips = rounds * batch / seconds;
        java.put(batch, ips);
        System.out.printf(Locale.ROOT, "%5d  %8.2f  %20.2f  %13.2f (%2d)  %11.2f%n", batch, ips,
            run.textEncoderMillisPerCall(), run.unetMillisPerCall(), run.unetSamples() / run.unetCalls(),
            run.vaeMillisPerCall());
      }
    }

    Map<Integer, Double> torch = torchImagesPerSecond(repo, python, threads, imagesPerBatchSize);
    if (!torch.isEmpty()) {
      System.out.println("batch  java images/s  torch images/s  java/torch");
      for (int batch : BATCHES) {
        Double t = torch.get(batch);
        if (t != null) {
          System.out.printf(Locale.ROOT, "%5d  %13.2f  %14.2f  %10.2f%n", batch, java.get(batch), t, java.get(batch) / t);
        }
      }
    }
  }

  private static List<GenerationRequest> requests(int batch, long firstSeed) {
    List<GenerationRequest> list = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      list.add(new GenerationRequest(PROMPT, "", 64, 64, STEPS, GUIDANCE, firstSeed + i));
    }
    return list;
  }

  /** Runs bench_torch.py; an empty map (with the reason printed) when torch or the checkpoint is missing. */
  private static Map<Integer, Double> torchImagesPerSecond(Path repo, String python, int threads, int images)
      throws IOException, InterruptedException {
    Map<Integer, Double> result = new LinkedHashMap<>();
    Path script = repo.resolve("models/kiln-tiny/train/bench_torch.py");
    Path checkpoint = repo.resolve("models/kiln-tiny/train/kiln-tiny.pt");
    if (!Files.isExecutable(Path.of(python))) {
      System.out.println("PyTorch comparison skipped: " + python + " not found");
      return result;
    }
    if (run(List.of(python, "-c", "import torch"), repo).exit != 0) {
      System.out.println("PyTorch comparison skipped: " + python + " has no torch module");
      return result;
    }
    if (!Files.isRegularFile(checkpoint)) {
      System.out.println("PyTorch comparison skipped: " + repo.relativize(checkpoint)
          + " does not exist yet (train.py writes it when training finishes)");
      return result;
    }
    Output out = run(List.of(python, script.toString(), "--checkpoint", checkpoint.toString(), "--threads",
        Integer.toString(threads), "--images", Integer.toString(images), "--steps", Integer.toString(STEPS),
        "--guidance", Float.toString(GUIDANCE)), repo);
    for (String line : out.lines) {
      System.out.println("  " + line);
      Matcher m = TORCH_LINE.matcher(line);
      if (m.matches()) {
        result.put(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)));
      }
    }
    if (out.exit != 0) {
      System.out.println("PyTorch benchmark exited with " + out.exit + "; ratio skipped");
      result.clear();
    }
    return result;
  }

  private record Output(int exit, List<String> lines) {}

  private static Output run(List<String> command, Path dir) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    Process process = pb.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lines.add(line);
      }
    }
    if (!process.waitFor(30, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return new Output(-1, lines);
    }
    return new Output(process.exitValue(), lines);
  }
}
