package dev.kiln.provenance.watermark;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * The watermark bench (bench/watermark/run.sh): embeds a payload in procedural render-like images
 * ({@link SyntheticImages}), attacks them, and prints PSNR, bit accuracy and detection rate per
 * attack, the false-positive rate on unmarked images, and embed/detect CPU time per 512x512 image.
 *
 * <p>Bit accuracy is over the 64 payload bits: the decoded payload's when the mark is detected,
 * otherwise the uncorrected payload bits read at the image's own scale. "Raw" is the accuracy of
 * the 127 coded bits before correction.
 */
public final class WatermarkBench {
  private WatermarkBench() {}

  private record Attack(String name, double threshold, UnaryOperator<BufferedImage> apply) {}

  private static final class Tally {
    final List<Double> accuracy = new ArrayList<>();
    double raw;
    int meeting;
    int detected;
    double minSync = Double.POSITIVE_INFINITY;
  }

  public static void main(String[] args) {
    int images = 200;
    int unmarked = 1000;
    int size = 256;
    int large = 50;
    boolean smooth = false;
    boolean kilnTiny = false;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--images" -> images = Integer.parseInt(args[i + 1]);
        case "--unmarked" -> unmarked = Integer.parseInt(args[i + 1]);
        case "--size" -> size = Integer.parseInt(args[i + 1]);
        case "--large" -> large = Integer.parseInt(args[i + 1]);
        case "--style" -> {
          smooth = args[i + 1].equals("smooth");
          kilnTiny = args[i + 1].equals("kiln-tiny");
          if (!List.of("mixed", "smooth", "kiln-tiny").contains(args[i + 1])) {
            throw new IllegalArgumentException("--style is mixed, smooth or kiln-tiny, got " + args[i + 1]);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; allowed: --images N, --size PX,"
            + " --large N (512x512 images), --unmarked N, --style mixed|smooth|kiln-tiny");
      }
    }
    List<Attack> attacks = List.of(
        new Attack("none", 0.95, im -> im),
        new Attack("JPEG q75", 0.95, im -> Attacks.jpeg(im, 0.75f)),
        new Attack("resize 0.5x and back (bilinear)", 0.90, im -> Attacks.resizeAndBack(im, 0.5, false)),
        new Attack("resize 0.5x and back (bicubic)", 0.90, im -> Attacks.resizeAndBack(im, 0.5, true)),
        new Attack("10% centre crop (5% off each side)", 0.90, im -> Attacks.cropCentre(im, 0.10)),
        new Attack("-- beyond the issue: --", 0, null),
        new Attack("JPEG q50", 0.90, im -> Attacks.jpeg(im, 0.50f)),
        new Attack("10% crop, resized back to full size", 0.90,
            im -> Attacks.resize(Attacks.cropCentre(im, 0.10), im.getWidth(), im.getHeight(), true)),
        new Attack("resize to 0.5x, kept small", 0.90,
            im -> Attacks.resize(im, im.getWidth() / 2, im.getHeight() / 2, true)),
        new Attack("resize 0.5x and back, then JPEG q75", 0.90,
            im -> Attacks.jpeg(Attacks.resizeAndBack(im, 0.5, true), 0.75f)),
        new Attack("crop 10% then JPEG q75", 0.90, im -> Attacks.jpeg(Attacks.cropCentre(im, 0.10), 0.75f)));

    IntFunction<BufferedImage> source = null;
    if (kilnTiny) {
      KilnTinyImages renders = new KilnTinyImages(images + large + unmarked);
      source = renders::get;
    }
    System.out.printf("watermark bench: %d images of %dx%d and %d of 512x512 (%s), %d unmarked%n", images,
        size, size, large, kilnTiny ? "kiln-tiny renders at its native 64x64, upscaled bicubic"
            : smooth ? "procedural smooth renders: gradient, clouds, shapes, blur, light grain"
            : "procedural: gradient, clouds, shapes, text, texture or blur, grain", unmarked);
    Map<String, Tally> tallies = new LinkedHashMap<>();
    List<Double> psnrs = new ArrayList<>();
    int total = images + large;
    for (int i = 0; i < total; i++) {
      int s = i < images ? size : 512;
      BufferedImage original = kilnTiny ? Attacks.resize(source.apply(i), s, s, true)
          : smooth ? SyntheticImages.smooth(1000 + i, s, s) : SyntheticImages.generate(1000 + i, s, s);
      Payload payload = Payload.of(i % 65536, "bench-" + i);
      BufferedImage marked = Watermark.embed(original, payload);
      psnrs.add(Attacks.psnr(original, marked));
      boolean[] truth = payload.toBits();
      boolean[] coded = Watermark.codedBits(payload);
      for (Attack attack : attacks) {
        if (attack.apply() == null) {
          continue;
        }
        Watermark.Inspection inspection = Watermark.inspect(attack.apply().apply(marked));
        Optional<Detection> detection = inspection.detection();
        boolean[] read = detection.map(d -> d.payload().toBits())
            .orElseGet(() -> java.util.Arrays.copyOfRange(inspection.codedBits(), coded.length - truth.length, coded.length));
        double accuracy = agreement(truth, read);
        Tally t = tallies.computeIfAbsent(attack.name(), k -> new Tally());
        t.accuracy.add(accuracy);
        t.raw += agreement(coded, inspection.codedBits());
        t.meeting += accuracy >= attack.threshold() ? 1 : 0;
        t.minSync = Math.min(t.minSync, detection.map(Detection::syncScore).orElse(inspection.syncScore()));
        t.detected += detection.filter(d -> d.payload().equals(payload)).isPresent() ? 1 : 0;
      }
    }
    System.out.printf("PSNR: mean %.2f dB, min %.2f dB (issue: >= 38)%n",
        psnrs.stream().mapToDouble(Double::doubleValue).average().orElse(0),
        psnrs.stream().mapToDouble(Double::doubleValue).min().orElse(0));
    System.out.printf("%-38s %7s %7s %7s %11s %8s %8s%n", "attack", "bit acc", "min", "raw acc", ">= thr",
        "detected", "min sync");
    for (Attack attack : attacks) {
      Tally t = tallies.get(attack.name());
      if (t == null) {
        System.out.println(attack.name());
        continue;
      }
      System.out.printf("%-38s %7.4f %7.4f %7.4f %11s %8s %8.1f%n", attack.name(),
          t.accuracy.stream().mapToDouble(Double::doubleValue).average().orElse(0),
          t.accuracy.stream().mapToDouble(Double::doubleValue).min().orElse(0), t.raw / total,
          String.format("%.3f@%.2f", (double) t.meeting / total, attack.threshold()),
          String.format("%.3f", (double) t.detected / total), t.minSync);
    }

    int falsePositives = 0;
    int falseJpeg = 0;
    double maxSync = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < unmarked; i++) {
      int s = i % 4 == 0 ? 512 : size;
      BufferedImage clean = kilnTiny ? Attacks.resize(source.apply(total + i), s, s, true)
          : smooth ? SyntheticImages.smooth(900_000 + i, s, s) : SyntheticImages.generate(900_000 + i, s, s);
      Watermark.Inspection inspection = Watermark.inspect(clean);
      maxSync = Math.max(maxSync, inspection.syncScore());
      falsePositives += inspection.detection().isPresent() ? 1 : 0;
      falseJpeg += Watermark.detect(Attacks.jpeg(clean, 0.75f)).isPresent() ? 1 : 0;
    }
    System.out.printf("false positives on unmarked images (every scale tried): %d of %d, %d of %d after JPEG q75;"
        + " highest sync score at scale 1: %.1f (threshold %.1f)%n", falsePositives, unmarked, falseJpeg, unmarked,
        maxSync, Watermark.MIN_SYNC_SCORE);

    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    List<BufferedImage> big = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      big.add(SyntheticImages.generate(500_000 + i, 512, 512));
    }
    List<BufferedImage> marked = new ArrayList<>();
    long embedNs = 0;
    long detectNs = 0;
    int rounds = 10;
    for (int r = 0; r < rounds; r++) {
      for (int i = 0; i < big.size(); i++) {
        long t0 = cpu.getCurrentThreadCpuTime();
        BufferedImage m = Watermark.embed(big.get(i), Payload.of(1, "cpu-" + i));
        long t1 = cpu.getCurrentThreadCpuTime();
        Watermark.detect(m);
        long t2 = cpu.getCurrentThreadCpuTime();
        // The first rounds warm up the JIT; only the second half is counted.
        if (r >= rounds / 2) {
          embedNs += t1 - t0;
          detectNs += t2 - t1;
        }
        if (r == 0) {
          marked.add(m);
        }
      }
    }
    long missedTime = 0;
    BufferedImage unmarkedBig = big.get(0);
    long t0 = cpu.getCurrentThreadCpuTime();
    for (int r = 0; r < 10; r++) {
      Watermark.detect(unmarkedBig);
    }
    missedTime = cpu.getCurrentThreadCpuTime() - t0;
    int counted = rounds / 2 * big.size();
    System.out.printf("CPU per 512x512 image: embed %.2f ms, detect %.2f ms (marked, found at scale 1),"
        + " %.2f ms (unmarked: every scale tried)%n", embedNs / 1e6 / counted, detectNs / 1e6 / counted,
        missedTime / 1e6 / 10);
  }

  private static double agreement(boolean[] a, boolean[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    return (double) same / a.length;
  }
}
