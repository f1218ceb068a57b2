package dev.kiln.provenance.c2pa;

import dev.kiln.provenance.c2pa.internal.Ecdsa;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * The key that signs manifests and its certificate chain.
 *
 * <p>{@link #toString()} never prints the key.
 *
 * @param key an EC P-256 private key (C2PA's ES256)
 * @param chain the signer's certificate first, then intermediates; no root
 */
public record SigningIdentity(PrivateKey key, List<X509Certificate> chain) {
  /**
   * @throws IllegalArgumentException when the key is not EC P-256, the chain is empty, or the first
   *     certificate is not the key's
   */
  public SigningIdentity {
    Objects.requireNonNull(key, "key");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the certificate chain is empty; it must start with the signer's certificate");
    }
    ECPrivateKeyParameters priv = Ecdsa.privateKey(key);
    ECPublicKeyParameters pub = Ecdsa.publicKey(chain.get(0).getPublicKey());
    if (!priv.getParameters().getG().multiply(priv.getD()).normalize().equals(pub.getQ().normalize())) {
      throw new IllegalArgumentException(
          "the first certificate (" + chain.get(0).getSubjectX500Principal() + ") is not the signing key's");
    }
  }

  /**
   * Reads the first private-key entry of a PKCS#12 keystore and its certificate chain. A self-signed
   * root at the end of the chain is dropped: verifiers take it from their trust list.
   *
   * @throws IllegalArgumentException naming the file when the password is wrong, there is no
   *     private-key entry, or the key is not EC P-256
   * @throws UncheckedIOException when the file cannot be read
   */
  public static SigningIdentity fromPkcs12(Path file, char[] password) {
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("PKCS#12 keystore " + file + " does not exist", e);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new IllegalArgumentException("wrong password for PKCS#12 keystore " + file, e);
      }
      throw new IllegalArgumentException(
          "cannot read PKCS#12 keystore " + file + " (wrong password, or not a PKCS#12 file): " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read PKCS#12 keystore " + file + ": " + e.getMessage(), e);
    }
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (!store.isKeyEntry(alias)) {
          continue;
        }
        Key key = store.getKey(alias, password);
        if (!(key instanceof PrivateKey privateKey)) {
          continue;
        }
        Certificate[] certs = store.getCertificateChain(alias);
        if (certs == null || certs.length == 0) {
          throw new IllegalArgumentException(
              "PKCS#12 keystore " + file + ": key entry '" + alias + "' has no certificate chain");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate cert : certs) {
          chain.add((X509Certificate) cert);
        }
        while (chain.size() > 1 && isSelfSigned(chain.get(chain.size() - 1))) {
          chain.remove(chain.size() - 1);
        }
        try {
          return new SigningIdentity(privateKey, chain);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "PKCS#12 keystore " + file + ", entry '" + alias + "': " + e.getMessage()
                  + " (C2PA signing here needs an EC P-256 key, ES256)", e);
        }
      }
    } catch (UnrecoverableKeyException e) {
      throw new IllegalArgumentException("wrong password for the key in PKCS#12 keystore " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read PKCS#12 keystore " + file + ": " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("PKCS#12 keystore " + file + " holds no private-key entry");
  }

  @Override
  public String toString() {
    return "SigningIdentity[signer=" + chain.get(0).getSubjectX500Principal().getName() + ", chain=" + chain.size()
        + " certificate(s)]";
  }

  private static boolean isSelfSigned(X509Certificate cert) {
    if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
      return false;
    }
    try {
      cert.verify(cert.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
