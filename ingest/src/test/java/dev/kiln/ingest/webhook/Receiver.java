package dev.kiln.ingest.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A webhook receiver on loopback that records every delivery and answers with scripted statuses. */
final class Receiver implements AutoCloseable {
  record Delivery(Headers headers, byte[] body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
  private final HttpServer server;
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Duration delay = Duration.ZERO;

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hook", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        deliveries.add(new Delivery(exchange.getRequestHeaders(), in.readAllBytes()));
      }
      try {
        // A receiver that is slow to answer; close() releases it at once.
        closed.await(delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Integer status = statuses.poll();
      exchange.sendResponseHeaders(status == null ? 204 : status, -1);
      exchange.close();
    });
    server.start();
  }

  /** Waits this long before answering each delivery (the delivery is recorded first). */
  Receiver delay(Duration delay) {
    this.delay = delay;
    return this;
  }

  /** The next answers, in order; after them every delivery gets 204. */
  Receiver answer(Integer... codes) {
    statuses.addAll(List.of(codes));
    return this;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
  }
}
