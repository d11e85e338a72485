package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pinned examples of {@link CronExpression}: the syntax, the Vixie day rule, leap days, daylight
 * saving time in Europe/Berlin and America/New_York (2026: Berlin springs forward on 29 March and
 * falls back on 25 October, New York on 8 March and 1 November), and bad input.
 */
class CronExpressionTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static ZonedDateTime at(String text) {
    return ZonedDateTime.parse(text);
  }

  /** The next {@code n} times after {@code after}, as ISO strings with offset and zone. */
  private static List<String> times(String expression, String after, int n) {
    CronExpression cron = CronExpression.parse(expression);
    List<String> out = new ArrayList<>();
    ZonedDateTime t = at(after);
    for (int i = 0; i < n; i++) {
      t = cron.next(t);
      out.add(t.toString());
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Golden examples
  // ---------------------------------------------------------------------------------------------

  @Test
  void workHoursOnWeekdaysCarryFromFridayEveningToMondayMorning() {
    assertThat(times("*/15 9-17 * * MON-FRI", "2026-11-27T17:30+01:00[Europe/Berlin]", 3))
        .containsExactly(
            "2026-11-27T17:45+01:00[Europe/Berlin]",
            "2026-11-30T09:00+01:00[Europe/Berlin]",
            "2026-11-30T09:15+01:00[Europe/Berlin]");
  }

  @Test
  void newYearComesOnceAYear() {
    assertThat(times("0 0 1 1 *", "2026-06-15T12:00Z", 2))
        .containsExactly("2027-01-01T00:00Z", "2028-01-01T00:00Z");
  }

  @Test
  void bothDayFieldsRestrictedMatchEitherVixieStyle() {
    // Noon on every 13th and on every Friday: 13 November 2026 is a Friday, 13 December a Sunday.
    assertThat(times("0 12 13 * FRI", "2026-11-01T00:00Z", 9))
        .containsExactly(
            "2026-11-06T12:00Z",
            "2026-11-13T12:00Z",
            "2026-11-20T12:00Z",
            "2026-11-27T12:00Z",
            "2026-12-04T12:00Z",
            "2026-12-11T12:00Z",
            "2026-12-13T12:00Z",
            "2026-12-18T12:00Z",
            "2026-12-25T12:00Z");
  }

  @Test
  void aDayFieldStartingWithAStarMakesTheDayRuleAnAnd() {
    // "*/10" is 1, 11, 21, 31; it starts with '*', so a day must also be a Monday.
    assertThat(times("0 0 */10 * MON", "2026-11-01T00:00Z", 4))
        .containsExactly(
            "2026-12-21T00:00Z", "2027-01-11T00:00Z", "2027-02-01T00:00Z", "2027-03-01T00:00Z");
  }

  @Test
  void aLeapDayWaitsForALeapYearAndSkipsTheYear2100() {
    assertThat(times("0 0 29 2 *", "2026-01-01T00:00Z", 1)).containsExactly("2028-02-29T00:00Z");
    assertThat(times("0 0 29 2 *", "2096-03-01T00:00Z", 1)).containsExactly("2104-02-29T00:00Z");
    // "*/6" (Sunday and Saturday) starts with a star, so the day must be both: a weekend leap day.
    assertThat(times("0 0 29 2 */6", "2088-03-01T00:00Z", 1)).containsExactly("2116-02-29T00:00Z");
  }

  @Test
  void theNextTimeIsStrictlyAfterTheArgumentAndHasNoNanoseconds() {
    CronExpression quarter = CronExpression.parse("*/15 * * * *");
    assertThat(quarter.next(at("2026-11-23T10:15Z"))).isEqualTo(at("2026-11-23T10:30Z"));
    assertThat(quarter.next(at("2026-11-23T10:14:59.999999999Z")))
        .isEqualTo(at("2026-11-23T10:15Z"));
    assertThat(quarter.next(at("2026-11-23T10:15:00.000000001Z")))
        .isEqualTo(at("2026-11-23T10:30Z"));
  }

  @Test
  void stepsRangesListsAndNamesExpandAsCronDoes() {
    assertThat(CronExpression.parse("5/20 * * * *"))
        .isEqualTo(CronExpression.parse("5,25,45 * * * *"));
    assertThat(CronExpression.parse("10-30/10 * * * *"))
        .isEqualTo(CronExpression.parse("10,20,30 * * * *"));
    assertThat(CronExpression.parse("*/1 * * * *")).isEqualTo(CronExpression.parse("* * * * *"));
    assertThat(CronExpression.parse("0 0 1 jan,Jul *"))
        .isEqualTo(CronExpression.parse("0 0 1 1,7 *"));
    assertThat(CronExpression.parse("0 0 * * mon-Fri"))
        .isEqualTo(CronExpression.parse("0 0 * * 1-5"));
    assertThat(CronExpression.parse("0 0 * * 7"))
        .isEqualTo(CronExpression.parse("0 0 * * 0"))
        .isEqualTo(CronExpression.parse("0 0 * * SUN"));
    assertThat(CronExpression.parse("0 0 * * 5-7"))
        .isEqualTo(CronExpression.parse("0 0 * * 0,5,6"));
    assertThat(CronExpression.parse("0 0 1,13 * 0,5"))
        .as("the same sets, combined by OR rather than AND")
        .isNotEqualTo(CronExpression.parse("0 0 1,13 * */5"));
    assertThat(CronExpression.parse("  0  0\t* * *  ").toString()).isEqualTo("0  0\t* * *");
  }

  @Test
  void macrosStandForTheirFiveFields() {
    assertThat(CronExpression.parse("@yearly"))
        .isEqualTo(CronExpression.parse("@ANNUALLY"))
        .isEqualTo(CronExpression.parse("0 0 1 1 *"));
    assertThat(CronExpression.parse("@monthly")).isEqualTo(CronExpression.parse("0 0 1 * *"));
    assertThat(CronExpression.parse("@weekly")).isEqualTo(CronExpression.parse("0 0 * * 0"));
    assertThat(CronExpression.parse("@daily"))
        .isEqualTo(CronExpression.parse("@midnight"))
        .isEqualTo(CronExpression.parse("0 0 * * *"));
    assertThat(CronExpression.parse("@hourly")).isEqualTo(CronExpression.parse("0 * * * *"));
    assertThat(times("@weekly", "2026-11-23T10:00Z", 1)).containsExactly("2026-11-29T00:00Z");
  }

  @Test
  void aSixthFieldInFrontIsTheSecond() {
    assertThat(times("*/20 * * * * *", "2026-11-23T10:00:05Z", 3))
        .containsExactly("2026-11-23T10:00:20Z", "2026-11-23T10:00:40Z", "2026-11-23T10:01Z");
    assertThat(times("30 0 0 1 1 *", "2026-11-23T10:00Z", 1))
        .containsExactly("2027-01-01T00:00:30Z");
    assertThat(CronExpression.parse("0 */5 * * * *"))
        .isEqualTo(CronExpression.parse("*/5 * * * *"));
  }

  @Test
  void aFixedOffsetZoneHasNoTransitions() {
    assertThat(CronExpression.parse("0 9 * * *").next(at("2026-03-29T10:00+05:30")))
        .isEqualTo(ZonedDateTime.of(2026, 3, 30, 9, 0, 0, 0, ZoneOffset.ofHoursMinutes(5, 30)));
  }

  // ---------------------------------------------------------------------------------------------
  // Daylight saving time
  // ---------------------------------------------------------------------------------------------

  @Test
  void aTimeInTheSpringForwardGapFiresWhenTheGapEnds() {
    // Berlin: 02:00 CET becomes 03:00 CEST on 29 March 2026; 02:30 does not exist that day.
    assertThat(times("30 2 * * *", "2026-03-28T12:00+01:00[Europe/Berlin]", 2))
        .containsExactly(
            "2026-03-29T03:00+02:00[Europe/Berlin]", "2026-03-30T02:30+02:00[Europe/Berlin]");
    // New York: 02:00 EST becomes 03:00 EDT on 8 March 2026.
    assertThat(times("30 2 * * *", "2026-03-07T12:00-05:00[America/New_York]", 2))
        .containsExactly(
            "2026-03-08T03:00-04:00[America/New_York]", "2026-03-09T02:30-04:00[America/New_York]");
  }

  @Test
  void severalTimesInTheGapFireOnceAtItsEnd() {
    // 02:00, 02:20 and 02:40 fall into the gap; with 03:00 they make one firing.
    assertThat(times("*/20 * * * *", "2026-03-29T01:50+01:00[Europe/Berlin]", 3))
        .containsExactly(
            "2026-03-29T03:00+02:00[Europe/Berlin]",
            "2026-03-29T03:20+02:00[Europe/Berlin]",
            "2026-03-29T03:40+02:00[Europe/Berlin]");
  }

  @Test
  void aTimeInTheRepeatedHourFiresOnceAtTheEarlierOffset() {
    // Berlin: 03:00 CEST becomes 02:00 CET on 25 October 2026; 02:30 happens twice.
    assertThat(times("30 2 * * *", "2026-10-24T12:00+02:00[Europe/Berlin]", 2))
        .containsExactly(
            "2026-10-25T02:30+02:00[Europe/Berlin]", "2026-10-26T02:30+01:00[Europe/Berlin]");
    // New York: 02:00 EDT becomes 01:00 EST on 1 November 2026; 01:30 happens twice.
    assertThat(times("30 1 * * *", "2026-10-31T12:00-04:00[America/New_York]", 2))
        .containsExactly(
            "2026-11-01T01:30-04:00[America/New_York]", "2026-11-02T01:30-05:00[America/New_York]");
  }

  @Test
  void aFrequentScheduleFiresOnlyInTheFirstPassOfTheRepeatedHour() {
    assertThat(times("*/30 * * * *", "2026-10-25T01:50+02:00[Europe/Berlin]", 4))
        .containsExactly(
            "2026-10-25T02:00+02:00[Europe/Berlin]",
            "2026-10-25T02:30+02:00[Europe/Berlin]",
            "2026-10-25T03:00+01:00[Europe/Berlin]",
            "2026-10-25T03:30+01:00[Europe/Berlin]");
    // Asked from inside the second pass, the times of the repeated hour are already past.
    assertThat(times("*/30 * * * *", "2026-10-25T02:10+01:00[Europe/Berlin]", 1))
        .containsExactly("2026-10-25T03:00+01:00[Europe/Berlin]");
  }

  @Test
  void theZoneOfTheArgumentIsTheZoneOfTheSchedule() {
    CronExpression nine = CronExpression.parse("0 9 * * *");
    ZonedDateTime utc = at("2026-11-23T10:00Z");
    assertThat(nine.next(utc.withZoneSameInstant(BERLIN)).toInstant())
        .isEqualTo(at("2026-11-24T08:00Z").toInstant());
    assertThat(nine.next(utc.withZoneSameInstant(NEW_YORK)).toInstant())
        .isEqualTo(at("2026-11-23T14:00Z").toInstant());
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input
  // ---------------------------------------------------------------------------------------------

  private static void refused(String expression, String message) {
    assertThatThrownBy(() -> CronExpression.parse(expression))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void valuesOutOfRangeAreRefusedNamingTheFieldAndTheText() {
    refused("61 * * * *", "minute field: 61 is out of range 0-59 in '61 * * * *'");
    refused("* 24 * * *", "hour field: 24 is out of range 0-23 in '* 24 * * *'");
    refused("* * 0 * *", "day-of-month field: 0 is out of range 1-31 in '* * 0 * *'");
    refused("* * * 13 *", "month field: 13 is out of range 1-12 in '* * * 13 *'");
    refused("* * * * 8", "day-of-week field: 8 is out of range 0-7 in '* * * * 8'");
    refused("60 * * * * *", "second field: 60 is out of range 0-59 in '60 * * * * *'");
    refused(
        "123456789 * * * *", "minute field: 123456789 is out of range 0-59 in '123456789 * * * *'");
  }

  @Test
  void malformedElementsAreRefused() {
    refused(
        "* * * FOO *",
        "month field: 'FOO' is neither a number nor a name (JAN-DEC) in '* * * FOO *'");
    refused(
        "* * * * MONDAY",
        "day-of-week field: 'MONDAY' is neither a number nor a name (SUN-SAT) in '* * * * MONDAY'");
    refused("x * * * *", "minute field: 'x' is not a number in 'x * * * *'");
    refused("*/0 * * * *", "minute field: step 0 of */0 is out of range 1-59 in '*/0 * * * *'");
    refused("*/60 * * * *", "minute field: step 60 of */60 is out of range 1-59 in '*/60 * * * *'");
    refused("*/ * * * *", "minute field: missing step in '*/ * * * *'");
    refused("5-2 * * * *", "minute field: range 5-2 runs backwards in '5-2 * * * *'");
    refused(
        "* * * * SAT-SUN", "day-of-week field: range SAT-SUN runs backwards in '* * * * SAT-SUN'");
    refused("1,,2 * * * *", "minute field: empty element in the list 1,,2 in '1,,2 * * * *'");
    refused("-1 * * * *", "minute field: missing value in '-1 * * * *'");
    refused("+1 * * * *", "minute field: '+1' is not a number in '+1 * * * *'");
  }

  @Test
  void quartzSyntaxIsRefusedWithAHint() {
    refused(
        "0 0 ? * *",
        "day-of-month field: '?' is Quartz syntax, not Unix cron (write *) in '0 0 ? * *'");
    refused(
        "0 0 L * *",
        "day-of-month field: 'L' is Quartz syntax (L, W, #), not supported in '0 0 L * *'");
    refused(
        "0 0 15W * *",
        "day-of-month field: '15W' is Quartz syntax (L, W, #), not supported in '0 0 15W * *'");
    refused(
        "0 0 * * MON#2",
        "day-of-week field: 'MON#2' is Quartz syntax (L, W, #), not supported in '0 0 * * MON#2'");
    refused(
        "0 0 12 ? * WED 2027",
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), found 7"
            + " in '0 0 12 ? * WED 2027' (a 7th field, the year, is Quartz syntax)");
  }

  @Test
  void wrongFieldCountsAndUnknownMacrosAreRefused() {
    refused(
        "* * * *",
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), found 4"
            + " in '* * * *'");
    refused(
        "   ",
        "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), found 0"
            + " in ''");
    refused(
        "@reboot",
        "unknown macro '@reboot': expected @yearly, @annually, @monthly, @weekly, @daily, @midnight"
            + " or @hourly");
    assertThatThrownBy(() -> CronExpression.parse(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("expression");
    assertThatThrownBy(() -> CronExpression.parse("* * * * *").next(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("after");
  }

  @Test
  void anExpressionThatCanNeverMatchIsRefusedAtParseTime() {
    refused(
        "0 0 30 2 *", "day-of-month field: 30 never occurs in the months allowed in '0 0 30 2 *'");
    refused(
        "0 0 31 4,6,9,11 *",
        "day-of-month field: 31 never occurs in the months allowed in '0 0 31 4,6,9,11 *'");
    refused(
        "0 0 30,31 FEB */2",
        "day-of-month field: 30,31 never occurs in the months allowed in '0 0 30,31 FEB */2'");
    // With both day fields restricted, the weekday alone can match: every Monday in February.
    assertThat(times("0 0 30 2 MON", "2026-11-23T00:00Z", 2))
        .containsExactly("2027-02-01T00:00Z", "2027-02-08T00:00Z");
  }
}
