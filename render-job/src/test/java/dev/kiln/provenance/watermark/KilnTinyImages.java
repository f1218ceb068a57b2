package dev.kiln.provenance.watermark;

import dev.kiln.render.engine.DiffusionEngine;
import dev.kiln.render.engine.GeneratedImage;
import dev.kiln.render.engine.GenerationRequest;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Images for the watermark bench rendered by kiln-tiny, the shipped model, at its native 64x64:
 * prompts of the sample batch's kind (size, colour, shape, background), each with its own seed.
 * The bench upscales them to the sizes it measures, as the issue allows.
 */
final class KilnTinyImages {
  private static final String[] COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "white", "black"};
  private static final String[] SHAPES = {"circle", "square", "triangle"};
  private static final int BATCH = 8;

  private final List<BufferedImage> images = new ArrayList<>();

  KilnTinyImages(int count) {
    String models = System.getProperty("kiln.models.dir", "models");
    long start = System.nanoTime();
    try (DiffusionEngine engine = DiffusionEngine.load(Path.of(models, "kiln-tiny"))) {
      for (int i = 0; i < count; i += BATCH) {
        List<GenerationRequest> batch = new ArrayList<>();
        for (int j = i; j < Math.min(count, i + BATCH); j++) {
          String prompt = "a " + (j % 2 == 0 ? "large " : "small ") + COLOURS[j % 8] + " " + SHAPES[j % 3] + " on a "
              + COLOURS[(j / 3 + 3) % 8] + " background";
          batch.add(new GenerationRequest(prompt, "", 64, 64, 20, 3f, 7_000L + j));
        }
        engine.generate(batch).forEach(g -> images.add(toImage(g)));
      }
    }
    System.out.printf("rendered %d kiln-tiny images in %.1f s%n", count, (System.nanoTime() - start) / 1e9);
  }

  BufferedImage get(int i) {
    return images.get(i);
  }

  private static BufferedImage toImage(GeneratedImage g) {
    BufferedImage out = new BufferedImage(g.width(), g.height(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < g.height(); y++) {
      for (int x = 0; x < g.width(); x++) {
        out.setRGB(x, y, g.channel(x, y, 0) << 16 | g.channel(x, y, 1) << 8 | g.channel(x, y, 2));
      }
    }
    return out;
  }
}
