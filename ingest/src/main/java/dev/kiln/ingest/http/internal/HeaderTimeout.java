package dev.kiln.ingest.http.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes HTTP/1.1 connections whose request line and headers have not all arrived within a
 * deadline, counted from the first byte of that request seen by a sweep. A client that trickles a
 * header byte every few seconds never lets Jetty's idle timeout fire; this bounds it anyway.
 * Connections idle between requests and requests whose body is being read are left to the idle
 * timeouts.
 *
 * <p>Jetty 12 has idle timeouts but no request-head deadline, so this sweeps the connector's
 * endpoints every quarter of the timeout: a connection is closed between {@code timeout} and
 * {@code 1.25 * timeout} after its head started. It reads the parser state of Jetty's
 * {@link HttpConnection} (an internal but public class); other connection types are skipped.
 * Add it to the connector as a bean: it starts and stops with it.
 */
public final class HeaderTimeout extends AbstractLifeCycle {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderTimeout.class);

  private final AbstractConnector connector;
  private final Duration timeout;
  private final Duration period;
  // Sweeps run one at a time on the scheduler, so a plain map is enough.
  private final Map<Connection, Head> heads = new HashMap<>();
  private volatile Scheduler.Task next;

  /** The request head seen in progress: which message of the connection, and since when. */
  private record Head(long messagesIn, long sinceNanos) {}

  public HeaderTimeout(AbstractConnector connector, Duration timeout) {
    this.connector = Objects.requireNonNull(connector, "connector");
    if (timeout == null || timeout.toMillis() < 4) {
      throw new IllegalArgumentException("header timeout is " + timeout + ": pass at least 4 ms");
    }
    this.timeout = timeout;
    this.period = timeout.dividedBy(4);
  }

  public Duration timeout() {
    return timeout;
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    Scheduler.Task task = next;
    if (task != null) {
      task.cancel();
    }
  }

  private void schedule() {
    if (isRunning() || isStarting()) {
      next = connector.getScheduler().schedule(this::sweepAndReschedule, period);
    }
  }

  private void sweepAndReschedule() {
    try {
      sweep(System.nanoTime());
    } finally {
      schedule();
    }
  }

  /** One pass over the connected endpoints at {@code nowNanos}; closes the overdue ones. */
  void sweep(long nowNanos) {
    Map<Connection, Head> seen = new HashMap<>();
    for (EndPoint endPoint : connector.getConnectedEndPoints()) {
      Connection connection = endPoint.getConnection();
      if (!(connection instanceof HttpConnection http) || !readingHead(http.getParser())) {
        continue;
      }
      Head head = heads.get(connection);
      if (head == null || head.messagesIn() != http.getMessagesIn()) {
        head = new Head(http.getMessagesIn(), nowNanos);
      }
      if (nowNanos - head.sinceNanos() >= timeout.toNanos()) {
        LOG.debug("closing {}: request headers incomplete after {}", endPoint.getRemoteSocketAddress(), timeout);
        endPoint.close();
      } else {
        seen.put(connection, head);
      }
    }
    heads.clear();
    heads.putAll(seen);
  }

  // START is an idle connection between requests; the states up to HEADER are a request line or
  // headers only partly received.
  private static boolean readingHead(HttpParser parser) {
    return !parser.isStart() && parser.inHeaderState();
  }
}
