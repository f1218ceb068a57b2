package dev.kiln.ingest.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronExpressionTest {
  private static Instant latest(String cron, String now) {
    return CronExpression.parse(cron).latestAtOrBefore(Instant.parse(now)).orElseThrow();
  }

  @Test
  void dailyAtTwoStartsTheWindowAtTodaysTwoOnceItHasPassed() {
    assertThat(latest("0 2 * * *", "2026-11-22T02:05:00Z")).isEqualTo("2026-11-22T02:00:00Z");
    assertThat(latest("0 2 * * *", "2026-11-22T02:00:00Z")).isEqualTo("2026-11-22T02:00:00Z");
    assertThat(latest("0 2 * * *", "2026-11-22T01:59:59Z")).isEqualTo("2026-11-21T02:00:00Z");
    assertThat(latest("0 2 * * *", "2027-01-01T00:00:00Z")).isEqualTo("2026-12-31T02:00:00Z");
  }

  @Test
  void everyFifteenMinutes() {
    assertThat(latest("*/15 * * * *", "2026-11-22T10:44:59Z")).isEqualTo("2026-11-22T10:30:00Z");
    assertThat(latest("*/15 * * * *", "2026-11-22T10:45:00Z")).isEqualTo("2026-11-22T10:45:00Z");
    assertThat(latest("*/15 * * * *", "2026-11-22T00:05:00Z")).isEqualTo("2026-11-22T00:00:00Z");
  }

  @Test
  void officeHoursOnWeekdaysReachBackOverTheWeekend() {
    // 2026-11-22 is a Sunday: the last firing is Friday 17:00.
    assertThat(latest("0 9-17 * * 1-5", "2026-11-22T12:00:00Z")).isEqualTo("2026-11-20T17:00:00Z");
    assertThat(latest("0 9-17 * * MON-FRI", "2026-11-20T12:30:00Z")).isEqualTo("2026-11-20T12:00:00Z");
    assertThat(latest("0 9-17 * * 1-5", "2026-11-20T08:59:00Z")).isEqualTo("2026-11-19T17:00:00Z");
  }

  @Test
  void listsRangesWithStepsAndNames() {
    assertThat(latest("5,35 8-20/4 * * *", "2026-11-22T19:00:00Z")).isEqualTo("2026-11-22T16:35:00Z");
    assertThat(latest("0 0 1 jan,JUL *", "2026-11-22T00:00:00Z")).isEqualTo("2026-07-01T00:00:00Z");
    assertThat(latest("30 6 * * 7", "2026-11-22T12:00:00Z")).isEqualTo("2026-11-22T06:30:00Z");
    assertThat(latest("30 6 * * SUN", "2026-11-22T06:29:00Z")).isEqualTo("2026-11-15T06:30:00Z");
    assertThat(latest("10/20 * * * *", "2026-11-22T12:29:00Z")).isEqualTo("2026-11-22T12:10:00Z");
  }

  @Test
  void dayOfMonthAndDayOfWeekBothRestrictedMatchEither() {
    // The 1st (a Sunday) or any Monday: from Saturday 21st, the latest is Monday 16th.
    assertThat(latest("0 0 1 * MON", "2026-11-21T12:00:00Z")).isEqualTo("2026-11-16T00:00:00Z");
    assertThat(latest("0 0 1 * MON", "2026-11-02T12:00:00Z")).isEqualTo("2026-11-02T00:00:00Z");
    assertThat(latest("0 0 1 * MON", "2026-11-01T12:00:00Z")).isEqualTo("2026-11-01T00:00:00Z");
  }

  @Test
  void skipsMonthsTooShortForTheDay() {
    assertThat(latest("0 0 31 * *", "2026-11-22T00:00:00Z")).isEqualTo("2026-10-31T00:00:00Z");
    assertThat(latest("0 12 29 2 *", "2026-11-22T00:00:00Z")).isEqualTo("2024-02-29T12:00:00Z");
  }

  @Test
  void macrosStandForTheirExpressions() {
    assertThat(latest("@daily", "2026-11-22T13:00:00Z")).isEqualTo("2026-11-22T00:00:00Z");
    assertThat(latest("@hourly", "2026-11-22T13:59:00Z")).isEqualTo("2026-11-22T13:00:00Z");
    assertThat(latest("@weekly", "2026-11-21T13:00:00Z")).isEqualTo("2026-11-15T00:00:00Z");
  }

  @Test
  void matchesTheMinutesItFiresAt() {
    CronExpression cron = CronExpression.parse("0 2 * * *");

    assertThat(cron.matches(Instant.parse("2026-11-22T02:00:30Z"))).isTrue();
    assertThat(cron.matches(Instant.parse("2026-11-22T02:01:00Z"))).isFalse();
  }

  @Test
  void rejectsInvalidFieldsNamingTheField() {
    assertThatThrownBy(() -> CronExpression.parse("61 * * * *"))
        .hasMessage("minute field \"61\": 61 is out of range 0-59");
    assertThatThrownBy(() -> CronExpression.parse("0 24 * * *"))
        .hasMessage("hour field \"24\": 24 is out of range 0-23");
    assertThatThrownBy(() -> CronExpression.parse("0 0 0 * *"))
        .hasMessage("day-of-month field \"0\": 0 is out of range 1-31");
    assertThatThrownBy(() -> CronExpression.parse("0 0 * 13 *"))
        .hasMessage("month field \"13\": 13 is out of range 1-12");
    assertThatThrownBy(() -> CronExpression.parse("0 0 * * 8"))
        .hasMessage("day-of-week field \"8\": 8 is out of range 0-7");
    assertThatThrownBy(() -> CronExpression.parse("0 0 * * FRY"))
        .hasMessage("day-of-week field \"FRY\": expected a number or SUN-SAT, got \"FRY\"");
    assertThatThrownBy(() -> CronExpression.parse("*/0 * * * *"))
        .hasMessage("minute field \"*/0\": step must be 1 or more, got 0");
    assertThatThrownBy(() -> CronExpression.parse("0 17-9 * * *"))
        .hasMessage("hour field \"17-9\": range 17-9 runs backwards; write 9-17 or a list");
    assertThatThrownBy(() -> CronExpression.parse("1,,2 * * * *"))
        .hasMessage("minute field \"1,,2\": empty list item");
  }

  @Test
  void rejectsTheWrongNumberOfFieldsAndExpressionsThatNeverFire() {
    assertThatThrownBy(() -> CronExpression.parse("0 2 * *"))
        .hasMessage("expected 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\","
            + " got 4 in \"0 2 * *\"");
    assertThatThrownBy(() -> CronExpression.parse("0 0 0 2 * * *"))
        .hasMessageStartingWith("expected 5 fields");
    assertThatThrownBy(() -> CronExpression.parse("0 0 30 2 *"))
        .hasMessage("day-of-month field \"30\" never falls in month field \"2\": the expression never fires");
    assertThatThrownBy(() -> CronExpression.parse("@fortnightly"))
        .hasMessageStartingWith("unknown macro \"@fortnightly\"");
  }
}
