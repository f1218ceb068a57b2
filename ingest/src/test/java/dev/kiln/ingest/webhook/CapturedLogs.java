package dev.kiln.ingest.webhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Records every log line of {@code dev.kiln.ingest.webhook}, DEBUG and up, while open. */
final class CapturedLogs implements AutoCloseable {
  private static final String PACKAGE = "dev.kiln.ingest.webhook";
  final List<String> lines = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;

  CapturedLogs() {
    appender = new AbstractAppender("captured-webhook-logs", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig logger = new LoggerConfig(PACKAGE, Level.DEBUG, true);
    logger.addAppender(appender, Level.DEBUG, null);
    config.addLogger(PACKAGE, logger);
    context.updateLoggers();
  }

  @Override
  public void close() {
    context.getConfiguration().removeLogger(PACKAGE);
    context.updateLoggers();
    appender.stop();
  }
}
