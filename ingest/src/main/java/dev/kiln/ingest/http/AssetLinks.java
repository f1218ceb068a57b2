package dev.kiln.ingest.http;

import dev.kiln.schemas.RenderResult;
import dev.kiln.schemas.ResultStatus;
import dev.kiln.storage.ObjectKeys;
import java.net.URI;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Time-limited download links for objects in Kiln's bucket. Implementations are thread-safe. */
public interface AssetLinks {
  /**
   * A link anybody holding it can GET until {@code expiresAt}; nothing is checked against the
   * store, so a missing key gives a link that answers 404.
   */
  Link link(String key);

  /**
   * The key of {@code result}'s published image as its own ids derive it, {@code
   * assets/{tenant}/{batchId}/{imageId}.png}; empty unless the result is PUBLISHED, its ids are
   * valid, and the key it names is exactly that one. kiln.results is a trust boundary: a record
   * naming another tenant's object, or any other key, must not get a link to it.
   */
  static Optional<String> publishedKey(RenderResult result) {
    if (result.getStatus() != ResultStatus.PUBLISHED || result.getAssetKey() == null) {
      return Optional.empty();
    }
    String derived;
    try {
      derived = ObjectKeys.asset(result.getTenant(), result.getBatchId(), result.getImageId());
    } catch (IllegalArgumentException | NullPointerException e) {
      return Optional.empty();
    }
    return derived.equals(result.getAssetKey()) ? Optional.of(derived) : Optional.empty();
  }

  /** A download URL and when it stops working. */
  record Link(URI url, Instant expiresAt) {
    public Link {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }
}
