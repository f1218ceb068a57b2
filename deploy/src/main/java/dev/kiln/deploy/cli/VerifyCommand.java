package dev.kiln.deploy.cli;

import dev.kiln.provenance.watermark.Detection;
import dev.kiln.provenance.watermark.Watermark;
import dev.kiln.provenance.c2pa.ContentCredentials;
import dev.kiln.provenance.c2pa.KilnAssertion;
import dev.kiln.provenance.c2pa.Verification;
import dev.kiln.storage.ObjectKeys;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln verify FILE...}: for each image, its C2PA Content Credentials (valid or not, who
 * signed, Kiln's assertion), its invisible watermark (found or not, payload, confidence), and for
 * a Kiln image where its sidecar is.
 *
 * <p>Exit code 0 when every file that claims Kiln provenance verifies; 1 when one does not: a
 * manifest whose signature, data hash or certificate fails, or a watermark that names another
 * image than the manifest; 2 when a file or trust anchor cannot be read. A file with neither a
 * manifest nor a watermark claims nothing and is not a failure: the command says so and goes on.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check images' C2PA Content Credentials and Kiln watermark. Exit code 0: every file that claims"
        + " Kiln provenance verifies; 1: one does not; 2: a file or trust anchor cannot be read.")
public final class VerifyCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "PNG or JPEG files.")
  List<Path> files;

  @Option(names = "--trust-anchor", paramLabel = "PEM",
      description = "A CA certificate (PEM) that signers must chain to; repeatable. `kiln local` and `kiln up`"
          + " write theirs to <data-dir>/provenance/ca.pem. Without one, signatures are checked but trust is not.")
  List<Path> trustAnchors = new ArrayList<>();

  @Override
  public Integer call() {
    PrintStream out = System.out;
    List<X509Certificate> anchors = new ArrayList<>();
    for (Path pem : trustAnchors) {
      try {
        anchors.addAll(certificates(pem));
      } catch (IOException | CertificateException e) {
        System.err.println("--trust-anchor " + pem + ": cannot read a PEM certificate: " + e.getMessage());
        return 2;
      }
    }
    int worst = 0;
    for (Path file : files) {
      worst = Math.max(worst, verify(file, anchors, out));
    }
    return worst;
  }

  /** Prints what {@code file} carries; returns 0, 1 or 2 as the command's exit code means. */
  static int verify(Path file, List<X509Certificate> anchors, PrintStream out) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      out.println(file + ": no such file");
      return 2;
    } catch (IOException e) {
      out.println(file + ": cannot read: " + e.getMessage());
      return 2;
    }
    out.println(file);
    boolean failed = false;
    Optional<KilnAssertion> kiln = Optional.empty();
    Verification v = ContentCredentials.verify(bytes, anchors);
    if (!v.present()) {
      out.println("  content credentials: none");
    } else {
      String state = !v.valid() ? "INVALID" : anchors.isEmpty() ? "valid (trust not checked: no --trust-anchor)"
          : v.trusted() ? "valid, trusted" : "valid, NOT TRUSTED by the given anchors";
      out.println("  content credentials: " + state);
      out.println("    signer " + v.signer() + ", issued by " + v.issuer());
      if (!v.failures().isEmpty()) {
        out.println("    failures: " + String.join(", ", v.failures()));
      }
      failed = !v.valid() || (!anchors.isEmpty() && !v.trusted());
      kiln = v.kiln();
      kiln.ifPresent(a -> printAssertion(a, out));
      if (v.kiln().isEmpty()) {
        out.println("    no Kiln assertion (claim generator: " + v.claimGenerator() + ")");
      }
    }
    Optional<Detection> mark = Optional.empty();
    Optional<BufferedImage> image = decode(bytes);
    if (image.isEmpty()) {
      out.println("  watermark: not read: the pixels do not decode");
    } else {
      mark = Watermark.detect(image.get());
    }
    if (image.isPresent() && mark.isEmpty()) {
      out.println("  watermark: none found");
    } else if (mark.isPresent()) {
      Detection d = mark.get();
      String match = kiln.map(a -> d.payload().matchesImageId(a.imageId()) ? ", matches image " + a.imageId()
          : ", DOES NOT MATCH image " + a.imageId()).orElse("");
      out.printf(Locale.ROOT, "  watermark: found, %s%s; confidence %.6f, bit accuracy %.3f, scale %.2f%n",
          d.payload(), match, d.confidence(), d.bitAccuracy(), d.scale());
      if (kiln.isPresent() && !d.payload().matchesImageId(kiln.get().imageId())) {
        failed = true;
      }
    }
    kiln.ifPresent(a -> out.println("  sidecar: " + ObjectKeys.sidecar(ObjectKeys.Area.ASSETS, a.tenant(),
        a.batchId(), a.imageId()) + " in the deployment's bucket"));
    out.println("  => " + (failed ? "FAILS: claims Kiln provenance that does not verify"
        : v.present() || mark.isPresent() ? "verified" : "no provenance claimed"));
    return failed ? 1 : 0;
  }

  private static void printAssertion(KilnAssertion a, PrintStream out) {
    out.printf(Locale.ROOT, "    created %s; model %s (%s), seed %d, %d steps, guidance %.1f, %s, %dx%d%n",
        a.createdAt(), a.model(), a.modelDigest(), a.seed(), a.steps(), a.guidanceScale(), a.scheduler(),
        a.width(), a.height());
    out.println("    tenant " + a.tenant() + ", batch " + a.batchId() + ", image " + a.imageId());
    out.println("    moderation " + a.decision() + " under policy " + a.policyName() + " " + a.policyVersion()
        + (a.prompt() == null ? "; prompt not included" : "; prompt \"" + a.prompt() + "\""));
  }

  /** The image's pixels, or empty when no installed reader decodes them (a damaged file, say). */
  private static Optional<BufferedImage> decode(byte[] bytes) {
    try {
      return Optional.ofNullable(ImageIO.read(new ByteArrayInputStream(bytes)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<X509Certificate> certificates(Path pem) throws IOException, CertificateException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<X509Certificate> certs = new ArrayList<>();
      CertificateFactory.getInstance("X.509").generateCertificates(in).forEach(c -> certs.add((X509Certificate) c));
      if (certs.isEmpty()) {
        throw new CertificateException("no certificate in the file");
      }
      return certs;
    }
  }
}
