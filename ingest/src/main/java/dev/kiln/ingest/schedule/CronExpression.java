package dev.kiln.ingest.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A five-field cron expression, evaluated in UTC: {@code minute hour day-of-month month
 * day-of-week}. Each field is {@code *}, a number, a range {@code a-b}, a step <code>&#42;/n</code>,
 * {@code a-b/n} or {@code a/n} (from a to the field's maximum), or a comma-separated list of
 * these. Months may be written {@code JAN}-{@code DEC} and days of the week {@code SUN}-{@code SAT}
 * (0 and 7 are both Sunday). The macros {@code @yearly}, {@code @annually}, {@code @monthly},
 * {@code @weekly}, {@code @daily}, {@code @midnight} and {@code @hourly} stand for their usual
 * expressions.
 *
 * <p>As in Vixie cron, when both day-of-month and day-of-week are restricted (neither starts with
 * {@code *}) a day matches if either does: {@code 0 0 1 * MON} fires on the 1st and on every
 * Monday. Immutable.
 */
public final class CronExpression {
  private static final List<String> FIELDS = List.of("minute", "hour", "day-of-month", "month", "day-of-week");
  private static final int[] MIN = {0, 0, 1, 1, 0};
  private static final int[] MAX = {59, 23, 31, 12, 7};
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> WEEKDAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  // Every month/day-of-month/day-of-week combination recurs within 28 years; more covers leap days.
  private static final int SEARCH_YEARS = 30;

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet weekdays;
  private final boolean daysRestricted;
  private final boolean weekdaysRestricted;

  private CronExpression(String text, BitSet[] fields, boolean daysRestricted, boolean weekdaysRestricted) {
    this.text = text;
    this.minutes = fields[0];
    this.hours = fields[1];
    this.days = fields[2];
    this.months = fields[3];
    this.weekdays = fields[4];
    this.daysRestricted = daysRestricted;
    this.weekdaysRestricted = weekdaysRestricted;
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it, e.g. {@code
   *     minute field "61": 61 is out of range 0-59}
   */
  public static CronExpression parse(String text) {
    Objects.requireNonNull(text, "text");
    String expanded = text.trim();
    if (expanded.startsWith("@")) {
      expanded = MACROS.get(expanded.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new IllegalArgumentException("unknown macro \"" + text.trim() + "\"; known: @yearly, @annually,"
            + " @monthly, @weekly, @daily, @midnight, @hourly");
      }
    }
    String[] parts = expanded.isEmpty() ? new String[0] : expanded.split("\\s+");
    if (parts.length != 5) {
      throw new IllegalArgumentException("expected 5 fields (minute hour day-of-month month day-of-week),"
          + " e.g. \"0 2 * * *\", got " + parts.length + " in \"" + text + "\"");
    }
    BitSet[] fields = new BitSet[5];
    for (int i = 0; i < 5; i++) {
      fields[i] = field(i, parts[i]);
    }
    // 7 is another name for Sunday.
    if (fields[4].get(7)) {
      fields[4].clear(7);
      fields[4].set(0);
    }
    boolean daysRestricted = !parts[2].startsWith("*");
    boolean weekdaysRestricted = !parts[4].startsWith("*");
    if (daysRestricted && !weekdaysRestricted) {
      boolean possible = false;
      for (int m = fields[3].nextSetBit(1); m >= 0; m = fields[3].nextSetBit(m + 1)) {
        possible |= fields[2].nextSetBit(1) <= Month.of(m).maxLength();
      }
      if (!possible) {
        throw new IllegalArgumentException("day-of-month field \"" + parts[2] + "\" never falls in month field \""
            + parts[3] + "\": the expression never fires");
      }
    }
    return new CronExpression(text.trim(), fields, daysRestricted, weekdaysRestricted);
  }

  /** The expression as written. */
  public String text() {
    return text;
  }

  /**
   * The latest time at or before {@code instant} at which this expression fires: the start of
   * the schedule window that {@code instant} is in.
   *
   * @return empty if it did not fire in the {@value #SEARCH_YEARS} years up to {@code instant}
   */
  public Optional<Instant> latestAtOrBefore(Instant instant) {
    LocalDateTime t = LocalDateTime.ofInstant(instant, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    LocalDateTime limit = t.minusYears(SEARCH_YEARS);
    while (t.isAfter(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).minusMinutes(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).minusMinutes(1);
      } else {
        int hour = hours.previousSetBit(t.getHour());
        if (hour < 0) {
          t = t.truncatedTo(ChronoUnit.DAYS).minusMinutes(1);
        } else if (hour < t.getHour()) {
          t = t.withHour(hour).withMinute(59);
        } else {
          int minute = minutes.previousSetBit(t.getMinute());
          if (minute >= 0) {
            return Optional.of(t.withMinute(minute).toInstant(ZoneOffset.UTC));
          }
          t = t.truncatedTo(ChronoUnit.HOURS).minusMinutes(1);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether the expression fires at the minute that {@code instant} is in. */
  public boolean matches(Instant instant) {
    LocalDateTime t = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    return minutes.get(t.getMinute()) && hours.get(t.getHour()) && months.get(t.getMonthValue())
        && dayMatches(t);
  }

  private boolean dayMatches(LocalDateTime t) {
    boolean day = days.get(t.getDayOfMonth());
    boolean weekday = weekdays.get(t.getDayOfWeek().getValue() % 7);
    if (daysRestricted && weekdaysRestricted) {
      return day || weekday;
    }
    return day && weekday;
  }

  private static BitSet field(int index, String text) {
    BitSet values = new BitSet(MAX[index] + 1);
    for (String item : text.split(",", -1)) {
      try {
        item(index, item, values);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(FIELDS.get(index) + " field \"" + text + "\": " + e.getMessage(), e);
      }
    }
    return values;
  }

  private static void item(int index, String item, BitSet values) {
    if (item.isEmpty()) {
      throw new IllegalArgumentException("empty list item");
    }
    int slash = item.indexOf('/');
    String range = slash < 0 ? item : item.substring(0, slash);
    int step = 1;
    if (slash >= 0) {
      step = number(index, item.substring(slash + 1), "step");
      if (step < 1) {
        throw new IllegalArgumentException("step must be 1 or more, got " + step);
      }
    }
    int from;
    int to;
    if (range.equals("*")) {
      from = MIN[index];
      to = index == 4 ? 6 : MAX[index];
    } else {
      int dash = range.indexOf('-', 1);
      from = value(index, dash < 0 ? range : range.substring(0, dash));
      // "a/n" runs from a to the end of the field, as in Vixie cron.
      to = dash >= 0 ? value(index, range.substring(dash + 1)) : slash >= 0 ? MAX[index] : from;
      if (to < from) {
        throw new IllegalArgumentException("range " + range + " runs backwards; write " + to + "-" + from
            + " or a list");
      }
    }
    for (int v = from; v <= to; v += step) {
      values.set(v);
    }
  }

  private static int value(int index, String text) {
    List<String> names = index == 3 ? MONTHS : index == 4 ? WEEKDAYS : List.of();
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return index == 3 ? named + 1 : named;
    }
    int value = number(index, text, "value");
    if (value < MIN[index] || value > MAX[index]) {
      throw new IllegalArgumentException(value + " is out of range " + MIN[index] + "-" + MAX[index]);
    }
    return value;
  }

  private static int number(int index, String text, String what) {
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9') || text.length() > 9) {
      String hint = index == 3 ? " or JAN-DEC" : index == 4 ? " or SUN-SAT" : "";
      throw new IllegalArgumentException("expected a number" + (what.equals("step") ? " after /" : hint)
          + ", got \"" + text + "\"");
    }
    return Integer.parseInt(text);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronExpression other && text.equals(other.text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
