package dev.kiln.ingest;

/** Publishing to Kafka failed; the message names the request, the topic and how far it got. */
public class PublishException extends Exception {
  private static final long serialVersionUID = 1L;

  public PublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
