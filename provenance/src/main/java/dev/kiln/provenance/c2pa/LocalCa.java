package dev.kiln.provenance.c2pa;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A local certificate authority for {@code kiln local} and {@code kiln up}: a root CA and one
 * signing certificate it issued, both EC P-256, shaped to pass c2pa-rs's certificate profile checks
 * (signer: v3, keyUsage digitalSignature (critical), extendedKeyUsage documentSigning and
 * emailProtection, not a CA,
 * subject and authority key identifiers, issued by the CA; CA: basicConstraints CA, keyCertSign).
 *
 * <p>Verifiers trust these manifests only when given {@code ca.pem} as a trust anchor. The CA's
 * private key is never written: once the signer is issued it is discarded, so a leaked data dir
 * cannot mint further signers. Certificates are built with BouncyCastle's certificate builder and
 * signed through the JDK's own EC provider; BouncyCastle is not registered as a JCA provider.
 */
public final class LocalCa {
  /** How long both certificates are valid. Without a time stamp, verifiers check them against the current time. */
  public static final Duration VALIDITY = Duration.ofDays(3653);

  private static final String CA_FILE = "ca.pem";
  private static final String KEYSTORE_FILE = "signer.p12";
  private static final String PASSWORD_FILE = "signer.password";
  private static final String KEY_ALIAS = "kiln-signer";
  /** Tolerates verifiers whose clock is a little behind the one that issued the certificates. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private LocalCa() {}

  /**
   * The files of a local CA.
   *
   * @param caCertificate the root certificate (PEM), a trust anchor for verifiers
   * @param keystore PKCS#12 with the signer's key and its chain (signer, root)
   * @param passwordFile the keystore's password (one line, mode 600)
   */
  public record Material(Path caCertificate, Path keystore, Path passwordFile) {
    /** The signing identity in {@link #keystore()}, unlocked with the password in {@link #passwordFile()}. */
    public SigningIdentity signingIdentity() {
      try {
        char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
        return SigningIdentity.fromPkcs12(keystore, password);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + passwordFile, e);
      }
    }

    /** The root certificate in {@link #caCertificate()}. */
    public X509Certificate caCertificateX509() {
      try (var in = Files.newInputStream(caCertificate)) {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + caCertificate, e);
      } catch (CertificateException e) {
        throw new IllegalArgumentException(caCertificate + " is not a PEM X.509 certificate", e);
      }
    }
  }

  /** Where the local CA's files are under {@code dir}, whether or not they exist yet. */
  public static Material in(Path dir) {
    return new Material(dir.resolve(CA_FILE), dir.resolve(KEYSTORE_FILE), dir.resolve(PASSWORD_FILE));
  }

  /**
   * Under {@code dir}: {@code ca.pem} (the root certificate, a trust anchor), {@code signer.p12}
   * (PKCS#12 with the signer key and chain) and {@code signer.password} (mode 600). Creates them
   * when absent, reuses them when present.
   *
   * @throws IllegalStateException when only some of the three files exist (the CA key is gone, so
   *     the set cannot be completed; delete the files to start a new CA)
   * @throws UncheckedIOException when the directory cannot be written
   */
  public static Material createIfAbsent(Path dir) {
    Material material = in(dir);
    List<Path> files = List.of(material.caCertificate(), material.keystore(), material.passwordFile());
    long present = files.stream().filter(Files::exists).count();
    if (present == files.size()) {
      return material;
    }
    if (present > 0) {
      throw new IllegalStateException("local CA in " + dir + " is incomplete: expected " + CA_FILE + ", "
          + KEYSTORE_FILE + " and " + PASSWORD_FILE + "; delete the ones that are there to create a new CA (verifiers"
          + " then need the new " + CA_FILE + ")");
    }
    try {
      Files.createDirectories(dir);
      create(material);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local CA in " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create the local CA in " + dir + ": " + e.getMessage(), e);
    }
    return material;
  }

  private static void create(Material material)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    SecureRandom random = new SecureRandom();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    KeyPair caKeys = generator.generateKeyPair();
    KeyPair signerKeys = generator.generateKeyPair();

    Instant now = Instant.now();
    Date notBefore = Date.from(now.minus(BACKDATE));
    Date notAfter = Date.from(ZonedDateTime.ofInstant(now, ZoneOffset.UTC).plus(VALIDITY).toInstant());
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    ContentSigner caSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());

    X500Name caName = new X500Name("CN=Kiln Local CA,O=Kiln");
    X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(
        caName, serial(random), notBefore, notAfter, caName, caKeys.getPublic());
    ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    ca.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
    ca.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caKeys.getPublic()));
    X509Certificate caCert = toX509(ca.build(caSigner));

    X509v3CertificateBuilder signer = new JcaX509v3CertificateBuilder(
        caCert, serial(random), notBefore, notAfter, new X500Name("CN=Kiln Local Signer,O=Kiln"),
        signerKeys.getPublic());
    signer.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    signer.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    // documentSigning is what C2PA asks for; emailProtection too because c2pa-rs accepts documentSigning only when
    // the verifier's trust configuration lists it (c2pa-wasm's default does not), but always accepts emailProtection.
    signer.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_documentSigning, KeyPurposeId.id_kp_emailProtection}));
    signer.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(signerKeys.getPublic()));
    signer.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
    X509Certificate signerCert = toX509(signer.build(caSigner));

    char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24)).toCharArray();
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(KEY_ALIAS, signerKeys.getPrivate(), password, new X509Certificate[] {signerCert, caCert});
    ByteArrayOutputStream p12 = new ByteArrayOutputStream();
    store.store(p12, password);

    writePrivate(material.passwordFile(), (new String(password) + "\n").getBytes(StandardCharsets.UTF_8));
    writePrivate(material.keystore(), p12.toByteArray());
    // Written last: its presence marks a complete CA.
    Files.writeString(material.caCertificate(), pem(caCert), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
  }

  private static byte[] bytes(SecureRandom random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  private static X509Certificate toX509(X509CertificateHolder holder) throws CertificateException, IOException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
  }

  private static String pem(X509Certificate cert) throws CertificateException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
  }

  /** Creates {@code file} readable only by its owner (mode 600 where the file system has POSIX permissions). */
  private static void writePrivate(Path file, byte[] content) throws IOException {
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(file + " appeared while the local CA was being created", e);
    }
    try (OutputStream out =
        Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(content);
    }
  }
}
