package dev.kiln.ingest.http;

import dev.kiln.ingest.http.internal.WordLines;
import dev.kiln.schemas.RequestValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * API keys and the tenant each one acts for. A caller's tenant always comes from its key, never
 * from a request body.
 *
 * <p>Keys are held only as SHA-256 digests, so a lookup's timing says nothing useful about the
 * stored keys and a heap dump does not reveal them. Immutable and thread-safe.
 */
public final class ApiKeys {
  /** Shorter keys are rejected: they could be guessed. */
  public static final int MIN_KEY_LENGTH = 16;

  private final Map<String, String> tenantByDigest;
  private final int tenants;

  private ApiKeys(Map<String, String> tenantByDigest) {
    this.tenantByDigest = Map.copyOf(tenantByDigest);
    this.tenants = new TreeSet<>(tenantByDigest.values()).size();
  }

  /**
   * Keys from a map of key to tenant.
   *
   * @throws IllegalArgumentException naming the first bad key (by its position, never its text)
   *     or tenant
   */
  public static ApiKeys of(Map<String, String> tenantByKey) {
    Objects.requireNonNull(tenantByKey, "tenantByKey");
    Map<String, String> byDigest = new HashMap<>();
    int n = 0;
    for (Map.Entry<String, String> e : tenantByKey.entrySet()) {
      n++;
      String problem = problem(e.getKey(), e.getValue());
      if (problem != null) {
        throw new IllegalArgumentException("API key " + n + " (tenant " + e.getValue() + "): " + problem);
      }
      byDigest.put(digest(e.getKey()), e.getValue());
    }
    return new ApiKeys(byDigest);
  }

  /**
   * Reads a keys file: one {@code KEY TENANT} pair per line, separated by white space; blank lines
   * and lines starting with {@code #} are skipped.
   *
   * @throws IllegalArgumentException {@code file:line: problem} for the first bad line, a key
   *     listed twice, or a file without keys
   * @throws IOException when the file cannot be read
   */
  public static ApiKeys load(Path file) throws IOException {
    Map<String, String> byDigest = new HashMap<>();
    Map<String, Integer> lineOfDigest = new HashMap<>();
    for (WordLines.Line line : WordLines.read(file, 2, "KEY TENANT")) {
      String where = line.where();
      String[] parts = line.words();
      String problem = problem(parts[0], parts[1]);
      if (problem != null) {
        throw new IllegalArgumentException(where + problem);
      }
      String digest = digest(parts[0]);
      Integer first = lineOfDigest.putIfAbsent(digest, line.number());
      if (first != null) {
        throw new IllegalArgumentException(where + "the key on this line is already on line " + first);
      }
      byDigest.put(digest, parts[1]);
    }
    if (byDigest.isEmpty()) {
      throw new IllegalArgumentException(file + ": no API keys; add lines of \"KEY TENANT\"");
    }
    return new ApiKeys(byDigest);
  }

  /** The tenant {@code key} acts for; empty for {@code null} or an unknown key. */
  public Optional<String> tenantOf(String key) {
    return key == null || key.isEmpty() ? Optional.empty() : Optional.ofNullable(tenantByDigest.get(digest(key)));
  }

  public int size() {
    return tenantByDigest.size();
  }

  /** Never includes a key. */
  @Override
  public String toString() {
    return "ApiKeys{" + size() + " keys for " + tenants + " tenants}";
  }

  private static String problem(String key, String tenant) {
    if (key == null || key.length() < MIN_KEY_LENGTH) {
      return "key must be at least " + MIN_KEY_LENGTH + " characters, e.g. from `openssl rand -hex 24`";
    }
    if (key.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return "key must not contain white space or control characters";
    }
    try {
      RequestValidator.requireId("tenant", tenant);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }

  private static String digest(String key) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
