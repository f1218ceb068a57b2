package dev.kiln.render.batching;

import java.util.List;

/**
 * Renders a batch of compatible requests in one go. The batching engine guarantees that every
 * batch it passes holds requests with equal {@link #batchKey} and at most its batch size.
 *
 * @param <Q> request type
 * @param <R> result type; {@code render} returns one per request, in request order
 */
public interface BatchRenderer<Q, R> {
  Object batchKey(Q request);

  /** Renders the batch; a RuntimeException fails every request of this batch and no other. */
  List<R> render(List<Q> batch);
}
