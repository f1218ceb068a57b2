package dev.kiln.render.cli;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationException;
import dev.kiln.render.engine.GenerationRequest;
import dev.kiln.render.engine.ModelLoadException;
import dev.kiln.render.engine.PngEncoder;
import dev.kiln.render.engine.Xmp;
import dev.kiln.provenance.watermark.Payload;
import dev.kiln.provenance.watermark.Watermark;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code render}: generates PNGs from a prompt with a local model, outside Kafka and Flink.
 *
 * <pre>
 * render --prompt "a large red circle on a blue background" --seed 7 --steps 20 --guidance 3 \
 *        --width 64 --height 64 --out red.png [--count 4] [--negative-prompt ...] [--model-dir dir]
 * </pre>
 *
 * <p>With {@code --count N > 1}, image {@code i} uses seed {@code seed + i} and goes to
 * {@code <out stem>-<i>.png}. PNGs carry the generation parameters and IPTC
 * {@code trainedAlgorithmicMedia} in XMP, and Kiln's invisible watermark in their pixels as the
 * render job stages them (key id {@code --watermark-key-id}, the job's {@code kiln.watermark.key-id};
 * the image id is the file's name); an image under {@value Watermark#MIN_SIZE} pixels a side is
 * too small to mark and is written unmarked, with a note on stderr. Exit codes: 0 written, 2 bad
 * option value (the message names the option and the allowed values), 1 generation or write failure.
 */
@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Renders images from a text prompt with a diffusers ONNX model.")
public final class RenderCommand implements Callable<Integer> {
  private static final int MAX_BATCH = 8;

  @Spec
  private CommandSpec spec;

  @Option(names = "--prompt", required = true, description = "What to draw.")
  private String prompt;

  @Option(names = "--negative-prompt", defaultValue = "", description = "What to steer away from (default: none).")
  private String negativePrompt;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the first image (default: ${DEFAULT-VALUE}).")
  private long seed;

  private int steps;
  private float guidance;
  private int width;
  private int height;
  private int count;

  @Option(names = "--model-dir", defaultValue = "${env:KILN_MODELS_DIR:-models}/kiln-tiny",
      description = "Model directory in the diffusers ONNX layout (default: $KILN_MODELS_DIR/kiln-tiny, "
          + "else models/kiln-tiny).")
  private Path modelDir;

  @Option(names = "--out", required = true, description = "PNG file to write.")
  private Path out;

  @Option(names = "--steps", defaultValue = "20", description = "Denoising steps, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  void setSteps(int value) {
    steps = checkRange("--steps", value, 1, 1000, "1 to 1000");
  }

  @Option(names = "--guidance", defaultValue = "3",
      description = "Classifier-free guidance scale, >= 0; 1 or less disables guidance (default: ${DEFAULT-VALUE}).")
  void setGuidance(float value) {
    if (!Float.isFinite(value) || value < 0) {
      throw invalid("--guidance", Float.toString(value), "a finite number >= 0");
    }
    guidance = value;
  }

  @Option(names = "--width", defaultValue = "64", description = "Width in pixels (default: ${DEFAULT-VALUE}).")
  void setWidth(int value) {
    width = checkSide("--width", value);
  }

  @Option(names = "--height", defaultValue = "64", description = "Height in pixels (default: ${DEFAULT-VALUE}).")
  void setHeight(int value) {
    height = checkSide("--height", value);
  }

  private int watermarkKeyId;

  @Option(names = "--watermark-key-id", defaultValue = "1",
      description = "Key id in the invisible watermark, 0 to 65535, as kiln.watermark.key-id"
          + " (default: ${DEFAULT-VALUE}).")
  void setWatermarkKeyId(int value) {
    watermarkKeyId = checkRange("--watermark-key-id", value, 0, 0xFFFF, "0 to 65535");
  }

  @Option(names = "--count", defaultValue = "1", description = "Number of images, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  void setCount(int value) {
    count = checkRange("--count", value, 1, 1000, "1 to 1000");
  }

  private int checkSide(String option, int value) {
    if (value < 8 || value > GenerationRequest.MAX_SIDE || value % 8 != 0) {
      throw invalid(option, Integer.toString(value), "multiples of 8 from 8 to " + GenerationRequest.MAX_SIDE);
    }
    return value;
  }

  private int checkRange(String option, int value, int min, int max, String allowed) {
    if (value < min || value > max) {
      throw invalid(option, Integer.toString(value), allowed);
    }
    return value;
  }

  private ParameterException invalid(String option, String value, String allowed) {
    return new ParameterException(spec.commandLine(),
        "Invalid value for option '" + option + "': " + value + " (allowed: " + allowed + ")");
  }

  @Override
  public Integer call() {
    DiffusionEngine engine;
    try {
      engine = DiffusionEngine.load(modelDir);
    } catch (ModelLoadException e) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '--model-dir': " + e.getMessage());
    }
    try (engine) {
      int multiple = engine.imageSizeMultiple();
      if (width % multiple != 0) {
        throw invalid("--width", Integer.toString(width), "multiples of " + multiple + " for this model");
      }
      if (height % multiple != 0) {
        throw invalid("--height", Integer.toString(height), "multiples of " + multiple + " for this model");
      }
      PrintWriter stdout = spec.commandLine().getOut();
      for (int from = 0; from < count; from += MAX_BATCH) {
        List<GenerationRequest> batch = new ArrayList<>();
        for (int i = from; i < Math.min(count, from + MAX_BATCH); i++) {
          batch.add(new GenerationRequest(prompt, negativePrompt, width, height, steps, guidance, seed + i));
        }
        List<GeneratedImage> images = engine.generate(batch);
        for (int i = 0; i < images.size(); i++) {
          Path file = outputFile(from + i);
          Path parent = file.toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
          GeneratedImage image = images.get(i);
          Map<String, String> provenance = provenance(engine, batch.get(i));
          if (Math.min(image.width(), image.height()) >= Watermark.MIN_SIZE) {
            Payload payload = Payload.of(watermarkKeyId, file.getFileName().toString());
            image = new GeneratedImage(image.width(), image.height(),
                Watermark.embedRgb(image.rgb(), image.width(), image.height(), payload));
            provenance.put("watermark", payload.toText());
          } else {
            spec.commandLine().getErr().println(file + ": not watermarked: " + image.width() + "x" + image.height()
                + " is under " + Watermark.MIN_SIZE + " pixels a side");
          }
          Files.write(file, PngEncoder.encode(image, Xmp.trainedAlgorithmicMedia(provenance)));
          stdout.println(file);
        }
      }
      stdout.flush();
      return 0;
    } catch (GenerationException | IOException e) {
      spec.commandLine().getErr().println("render failed: " + e.getMessage());
      return 1;
    }
  }

  private Path outputFile(int index) {
    if (count == 1) {
      return out;
    }
    String name = out.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String ext = dot > 0 ? name.substring(dot) : ".png";
    return out.resolveSibling(stem + "-" + index + ext);
  }

  private Map<String, String> provenance(DiffusionEngine engine, GenerationRequest r) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("model", engine.modelDir().getFileName().toString());
    p.put("modelDigest", engine.modelDigest());
    p.put("scheduler", engine.schedulerName());
    p.put("prompt", r.prompt());
    p.put("negativePrompt", r.negativePrompt());
    p.put("seed", Long.toString(r.seed()));
    p.put("steps", Integer.toString(r.steps()));
    p.put("guidanceScale", Float.toString(r.guidanceScale()));
    return p;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new RenderCommand()).execute(args));
  }
}
