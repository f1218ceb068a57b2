package dev.kiln.ingest.http;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/** Time-limited download links for objects in Kiln's bucket. Implementations are thread-safe. */
public interface AssetLinks {
  /**
   * A link anybody holding it can GET until {@code expiresAt}; nothing is checked against the
   * store, so a missing key gives a link that answers 404.
   */
  Link link(String key);

  /** A download URL and when it stops working. */
  record Link(URI url, Instant expiresAt) {
    public Link {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }
}
