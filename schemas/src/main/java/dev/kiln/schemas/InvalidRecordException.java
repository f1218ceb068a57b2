package dev.kiln.schemas;

/** A record that cannot be processed; its message is the dead-letter reason. */
public class InvalidRecordException extends Exception {
  public InvalidRecordException(String message) {
    super(message);
  }
}
