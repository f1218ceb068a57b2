package dev.kiln.safety.job;

import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.SigningIdentity;
import dev.kiln.safety.policy.ImagePolicy;
import dev.kiln.schemas.GenerationParams;
import dev.kiln.schemas.RenderedImage;
import dev.kiln.schemas.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety job's side of C2PA signing: the signing identity that {@code kiln.provenance.*}
 * names, and the Kiln assertion an approved image is signed with.
 */
final class Signing {
  private static final Logger LOG = LoggerFactory.getLogger(Signing.class);

  private Signing() {}

  /**
   * The signing identity, or empty when {@code kiln.provenance.sign} is false. Fails with a
   * message naming the option when the keystore or its password file is missing or wrong; the
   * job calls this when it is built, so a bad setting fails the submission, not every task.
   */
  static Optional<SigningIdentity> identity(Configuration config) {
    if (!config.get(SafetyJobOptions.PROVENANCE_SIGN)) {
      LOG.warn("{}=false: published images carry no C2PA Content Credentials", SafetyJobOptions.PROVENANCE_SIGN.key());
      return Optional.empty();
    }
    String keystore = config.get(SafetyJobOptions.PROVENANCE_KEYSTORE);
    String passwordFile = config.get(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE);
    if (keystore == null || passwordFile == null) {
      throw new IllegalArgumentException(SafetyJobOptions.PROVENANCE_KEYSTORE.key() + " and "
          + SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE.key() + " must both be set: every published image is"
          + " signed with C2PA Content Credentials (docs/provenance.md; `kiln local` and `kiln up` make a local CA"
          + " under <data-dir>/provenance). Set " + SafetyJobOptions.PROVENANCE_SIGN.key() + "=false to publish"
          + " unsigned images.");
    }
    char[] password;
    try {
      List<String> lines = Files.readAllLines(Path.of(passwordFile), StandardCharsets.UTF_8);
      password = (lines.isEmpty() ? "" : lines.get(0)).toCharArray();
    } catch (IOException e) {
      throw new UncheckedIOException(SafetyJobOptions.PROVENANCE_KEYSTORE_PASSWORD_FILE.key() + " " + passwordFile
          + ": cannot read: " + e.getMessage(), e);
    }
    SigningIdentity identity = SigningIdentity.fromPkcs12(Path.of(keystore), password);
    LOG.info("signing published images as {} (keystore {})",
        identity.chain().get(0).getSubjectX500Principal().getName(), keystore);
    return Optional.of(identity);
  }

  /**
   * What the signed manifest says about {@code image}: how it was made, and what moderation
   * decided under which policy. The prompt only when the tenant's policy allows it.
   */
  static KilnAssertion assertion(RenderedImage image, Verdict verdict, ImagePolicy policy) {
    GenerationParams p = image.getParams();
    return new KilnAssertion(p.getModel(), p.getModelDigest(), p.getSeed(), p.getSteps(), p.getGuidanceScale(),
        p.getScheduler(), p.getWidth(), p.getHeight(), image.getTenant(), image.getBatchId(), image.getImageId(),
        verdict.getDecision().name(), verdict.getPolicyName(), verdict.getPolicyVersion(),
        policy.promptInCredentials() ? p.getPrompt() : null, image.getRenderedAt(),
        image.getWatermark().isEmpty() ? null : image.getWatermark());
  }
}
