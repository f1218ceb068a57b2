package dev.kiln.schemas;

/** One invalid field: its name and what is allowed. */
public record FieldError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
