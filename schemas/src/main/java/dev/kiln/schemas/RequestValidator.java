package dev.kiln.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks every field of a {@link RenderRequest}. The same rules run at the edges (CLI, HTTP),
 * where an error is shown to the user, and in render-job, where it becomes a dead letter.
 */
public final class RequestValidator {
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  public static final Pattern MODEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  public static final int MAX_PROMPT_CHARS = 2000;
  public static final int MIN_SIDE = 32;
  public static final int MAX_SIDE = 1024;
  public static final int MAX_STEPS = 150;
  public static final float MAX_GUIDANCE = 30f;
  public static final int MAX_IMAGES = 16;
  public static final int MAX_LABELS = 32;

  private RequestValidator() {}

  /** Returns every problem found; empty when the request is valid. */
  public static List<FieldError> validate(RenderRequest r) {
    List<FieldError> errors = new ArrayList<>();
    checkId(errors, "requestId", r.getRequestId(), REQUEST_ID, 128);
    checkId(errors, "tenant", r.getTenant(), ID, 64);
    checkId(errors, "batchId", r.getBatchId(), ID, 64);
    checkText(errors, "prompt", r.getPrompt(), true);
    checkText(errors, "negativePrompt", r.getNegativePrompt(), false);
    if (r.getModel() == null || !MODEL.matcher(r.getModel()).matches()) {
      errors.add(new FieldError("model", "must match " + MODEL.pattern() + ", got " + quote(r.getModel())));
    }
    checkSide(errors, "width", r.getWidth());
    checkSide(errors, "height", r.getHeight());
    if (r.getSteps() < 1 || r.getSteps() > MAX_STEPS) {
      errors.add(new FieldError("steps", "must be 1.." + MAX_STEPS + ", got " + r.getSteps()));
    }
    float g = r.getGuidanceScale();
    if (!Float.isFinite(g) || g < 0 || g > MAX_GUIDANCE) {
      errors.add(new FieldError("guidanceScale", "must be 0.." + MAX_GUIDANCE
          + " (1 or less skips the unconditional pass), got " + g));
    }
    if (r.getSeed() != null && r.getSeed() < 0) {
      errors.add(new FieldError("seed", "must be 0 or more, or absent to derive it from the image id, got "
          + r.getSeed()));
    }
    if (r.getNumImages() < 1 || r.getNumImages() > MAX_IMAGES) {
      errors.add(new FieldError("numImages", "must be 1.." + MAX_IMAGES + ", got " + r.getNumImages()));
    }
    Map<String, String> labels = r.getLabels();
    if (labels != null) {
      if (labels.size() > MAX_LABELS) {
        errors.add(new FieldError("labels", "at most " + MAX_LABELS + " labels, got " + labels.size()));
      }
      for (Map.Entry<String, String> e : labels.entrySet()) {
        if (!ID.matcher(e.getKey()).matches()) {
          errors.add(new FieldError("labels", "label key must match " + ID.pattern() + ", got " + quote(e.getKey())));
        }
        if (e.getValue() == null || e.getValue().length() > 256) {
          errors.add(new FieldError("labels." + e.getKey(), "value must be at most 256 characters"));
        }
      }
    }
    if (r.getSubmittedAt() == null || r.getSubmittedAt().toEpochMilli() <= 0) {
      errors.add(new FieldError("submittedAt", "must be a timestamp after 1970-01-01, got " + r.getSubmittedAt()));
    }
    return errors;
  }

  /** Validates a single tenant or batch id, e.g. from a URL or a command line. */
  public static void requireId(String field, String value) {
    List<FieldError> errors = new ArrayList<>();
    checkId(errors, field, value, ID, 64);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(errors.get(0).toString());
    }
  }

  private static void checkId(List<FieldError> errors, String field, String value, Pattern pattern, int max) {
    if (value == null || !pattern.matcher(value).matches()) {
      errors.add(new FieldError(field, "must be 1-" + max + " characters of A-Z a-z 0-9 . _ -, got " + quote(value)));
    } else if (value.chars().allMatch(c -> c == '.')) {
      errors.add(new FieldError(field, "must not be only dots (it becomes an object key segment), got " + quote(value)));
    }
  }

  private static void checkText(List<FieldError> errors, String field, String value, boolean required) {
    if (value == null || (required && value.isBlank())) {
      errors.add(new FieldError(field, required ? "must not be empty" : "must not be null"));
      return;
    }
    if (value.length() > MAX_PROMPT_CHARS) {
      errors.add(new FieldError(field, "must be at most " + MAX_PROMPT_CHARS + " characters, got " + value.length()));
    }
    if (value.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
      errors.add(new FieldError(field, "must not contain control characters"));
    }
  }

  private static void checkSide(List<FieldError> errors, String field, int value) {
    if (value < MIN_SIDE || value > MAX_SIDE || value % 8 != 0) {
      errors.add(new FieldError(field, "must be a multiple of 8 from " + MIN_SIDE + " to " + MAX_SIDE + ", got " + value));
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
  }
}
