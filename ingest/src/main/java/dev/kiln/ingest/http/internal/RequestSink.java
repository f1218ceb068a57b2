package dev.kiln.ingest.http.internal;

import dev.kiln.ingest.PublishException;
import dev.kiln.schemas.RenderRequest;
import java.util.List;

/** Where accepted requests go: the requests topic, or a fake in tests. Thread-safe. */
public interface RequestSink extends AutoCloseable {
  /**
   * Publishes every request and returns once all are acknowledged.
   *
   * @throws PublishException naming the first request that failed and how many were acknowledged;
   *     those stay published
   * @throws InterruptedException when the calling thread is interrupted while waiting
   */
  void publish(List<RenderRequest> requests) throws PublishException, InterruptedException;

  @Override
  void close();
}
