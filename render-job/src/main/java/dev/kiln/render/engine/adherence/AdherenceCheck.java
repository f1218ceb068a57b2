package dev.kiln.render.engine.adherence;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.engine.ModelLoadException;
import dev.kiln.render.engine.adherence.HeldOutPrompts.HeldOutPrompt;
import dev.kiln.render.engine.adherence.ShapeClassifier.Classification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Renders every held-out prompt ({@link HeldOutPrompts}) with seed = its index and classifies the
 * image ({@link ShapeClassifier}). An image passes when the classifier sees exactly the prompted
 * colour and shape. Prints one line per prompt and {@code adherence: X/74 = Y%}.
 *
 * <p>Stricter than train.py's estimate, which accepts any colour word of the prompt (so a shape
 * classified in the background's colour passes there but not here).
 */
@Command(name = "adherence", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Renders kiln-tiny's held-out prompts and reports colour+shape adherence.")
public final class AdherenceCheck implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--model-dir", defaultValue = "${env:KILN_MODELS_DIR:-models}/kiln-tiny",
      description = "Model directory (default: $KILN_MODELS_DIR/kiln-tiny, else models/kiln-tiny).")
  private Path modelDir;

  @Option(names = "--steps", defaultValue = "20", description = "Denoising steps (default: ${DEFAULT-VALUE}).")
  private int steps;

  @Option(names = "--guidance", defaultValue = "3", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
  private float guidance;

  @Option(names = "--batch", defaultValue = "8", description = "Images per batch (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--min-rate", defaultValue = "0",
      description = "Exit with 1 when adherence in percent is below this (default: ${DEFAULT-VALUE}).")
  private double minRate;

  /** One rendered prompt. */
  public record Result(int index, HeldOutPrompt prompt, Classification seen) {
    public boolean pass() {
      return seen.colour() == prompt.colour() && seen.shape() == prompt.shape();
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%2d %-4s %-48s saw %s", index, pass() ? "ok" : "MISS", prompt.text(), seen);
    }
  }

  /** All results of one run. */
  public record Report(List<Result> results) {
    public long passed() {
      return results.stream().filter(Result::pass).count();
    }

    public int total() {
      return results.size();
    }

    /** Fraction passed, 0..1. */
    public double rate() {
      return total() == 0 ? 0 : passed() / (double) total();
    }

    public String summary() {
      return String.format(Locale.ROOT, "adherence: %d/%d = %.1f%%", passed(), total(), 100 * rate());
    }
  }

  /**
   * Renders and classifies all held-out prompts at 64x64.
   *
   * @param out receives one line per prompt as results come in; may be null
   */
  public static Report run(DiffusionEngine engine, int steps, float guidance, int batchSize, PrintWriter out) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    List<HeldOutPrompt> prompts = HeldOutPrompts.all();
    List<Result> results = new ArrayList<>(prompts.size());
    for (int from = 0; from < prompts.size(); from += batchSize) {
      int to = Math.min(prompts.size(), from + batchSize);
      List<GenerationRequest> requests = new ArrayList<>();
      for (int i = from; i < to; i++) {
        requests.add(new GenerationRequest(prompts.get(i).text(), "", 64, 64, steps, guidance, i));
      }
      List<GeneratedImage> images = engine.generate(requests);
      for (int i = from; i < to; i++) {
        Result r = new Result(i, prompts.get(i), ShapeClassifier.classify(images.get(i - from)));
        results.add(r);
        if (out != null) {
          out.println(r);
          out.flush();
        }
      }
    }
    return new Report(List.copyOf(results));
  }

  @Override
  public Integer call() {
    if (steps < 1 || batch < 1) {
      throw new ParameterException(spec.commandLine(), "--steps and --batch must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    DiffusionEngine engine;
    try {
      engine = DiffusionEngine.load(modelDir);
    } catch (ModelLoadException e) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--model-dir': " + e.getMessage(), e,
          null, modelDir.toString());
    }
    try (engine) {
      Report report = run(engine, steps, guidance, batch, out);
      out.println(report.summary());
      out.flush();
      return 100 * report.rate() < minRate ? 1 : 0;
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new AdherenceCheck()).execute(args));
  }
}
