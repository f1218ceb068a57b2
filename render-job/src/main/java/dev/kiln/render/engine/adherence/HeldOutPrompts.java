package dev.kiln.render.engine.adherence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts kiln-tiny never saw in training, as {@code held_out_prompts()} in
 * models/kiln-tiny/train/scenes.py lists them: for each (shape, colour, background) with
 * background != colour, in scenes.py's loop order, held out when the first byte of
 * {@code sha256("shape|colour|background")} is divisible by 5; each gives a small and a large
 * prompt {@code "a {size} {colour} {shape} on a {background} background"}. 74 prompts.
 */
public final class HeldOutPrompts {
  public static final List<String> SIZES = List.of("small", "large");

  private HeldOutPrompts() {}

  /** One held-out prompt and the factors it names. */
  public record HeldOutPrompt(String size, Palette colour, Shape shape, Palette background) {
    public String text() {
      return "a " + size + " " + colour.word() + " " + shape.word() + " on a " + background.word() + " background";
    }
  }

  public static List<HeldOutPrompt> all() {
    List<HeldOutPrompt> prompts = new ArrayList<>();
    for (Shape shape : Shape.values()) {
      for (Palette colour : Palette.ALL) {
        for (Palette background : Palette.ALL) {
          if (background != colour && isHeldOut(shape, colour, background)) {
            for (String size : SIZES) {
              prompts.add(new HeldOutPrompt(size, colour, shape, background));
            }
          }
        }
      }
    }
    return List.copyOf(prompts);
  }

  /** scenes.py's {@code is_held_out}. */
  public static boolean isHeldOut(Shape shape, Palette colour, Palette background) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((shape.word() + "|" + colour.word() + "|" + background.word()).getBytes(StandardCharsets.UTF_8));
      return (digest[0] & 0xFF) % 5 == 0;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
