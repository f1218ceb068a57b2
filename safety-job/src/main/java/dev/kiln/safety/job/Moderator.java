package dev.kiln.safety.job;

import dev.kiln.safety.policy.PolicyMatch;
import dev.kiln.safety.policy.PromptPolicy;
import dev.kiln.schemas.Decision;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decides about one staged image. Checks run in order and the first failure decides:
 * the bytes match the sha256 the render job recorded; they decode as a PNG of the requested
 * size; the prompt passes the prompt policy (again: the policy may have changed since render).
 * An image that fails any check is REJECTED and goes to quarantine, never to assets.
 */
public final class Moderator {
  private final PromptPolicy policy;

  public Moderator(PromptPolicy policy) {
    this.policy = policy;
  }

  public Verdict judge(RenderedImage image, byte[] png) {
    List<String> checks = new ArrayList<>();
    checks.add("integrity:sha256");
    String actual = sha256(png);
    if (!actual.equals(image.getSha256())) {
      return reject(checks, "integrity", "staged bytes have sha256 " + actual + ", the render job recorded "
          + image.getSha256());
    }
    checks.add("integrity:png");
    Optional<String> pngProblem = pngProblem(png, image.getParams().getWidth(), image.getParams().getHeight());
    if (pngProblem.isPresent()) {
      return reject(checks, "integrity", pngProblem.get());
    }
    checks.add("prompt-policy");
    Optional<PolicyMatch> match = policy.check(image.getParams().getPrompt());
    if (match.isPresent()) {
      return reject(checks, "prompt:" + match.get().category(), "prompt matches policy category \""
          + match.get().category() + "\" (term \"" + match.get().term() + "\")");
    }
    return Verdict.newBuilder()
        .setDecision(Decision.APPROVED)
        .setReason("")
        .setPolicyName(policy.name())
        .setPolicyVersion(policy.version())
        .setScores(Map.of())
        .setChecks(checks)
        .build();
  }

  private Verdict reject(List<String> checks, String category, String reason) {
    return Verdict.newBuilder()
        .setDecision(Decision.REJECTED)
        .setReason(reason)
        .setCategory(category)
        .setPolicyName(policy.name())
        .setPolicyVersion(policy.version())
        .setScores(Map.of())
        .setChecks(checks)
        .build();
  }

  static Optional<String> pngProblem(byte[] bytes, int width, int height) {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      var readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return Optional.of("staged object is not an image");
      }
      ImageReader reader = readers.next();
      try {
        if (!"png".equalsIgnoreCase(reader.getFormatName())) {
          return Optional.of("staged object is " + reader.getFormatName() + ", expected png");
        }
        reader.setInput(in);
        var decoded = reader.read(0);
        if (decoded.getWidth() != width || decoded.getHeight() != height) {
          return Optional.of("staged PNG is " + decoded.getWidth() + "x" + decoded.getHeight() + ", requested "
              + width + "x" + height);
        }
        return Optional.empty();
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      return Optional.of("staged PNG does not decode: " + e.getMessage());
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
