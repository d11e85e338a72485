package dev.sysblocks.scheduler;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Objects;

/**
 * A Unix (Vixie) cron expression: which wall-clock times a recurring job is due at, and the next
 * such time after a given one.
 *
 * <pre>
 * CronExpression workHours = CronExpression.parse("*&#47;15 9-17 * * MON-FRI");
 * ZonedDateTime next = workHours.next(ZonedDateTime.now(ZoneId.of("Europe/Berlin")));
 * // the next quarter hour from 9:00 to 17:45, Monday to Friday, Berlin time
 * </pre>
 *
 * <p><b>Syntax.</b> Five fields separated by blanks, {@code minute hour day-of-month month
 * day-of-week}:
 *
 * <table class="striped">
 *   <caption>Fields</caption>
 *   <tr><th>Field</th><th>Values</th><th>Names</th></tr>
 *   <tr><td>minute</td><td>0-59</td><td></td></tr>
 *   <tr><td>hour</td><td>0-23</td><td></td></tr>
 *   <tr><td>day-of-month</td><td>1-31</td><td></td></tr>
 *   <tr><td>month</td><td>1-12</td><td>JAN-DEC</td></tr>
 *   <tr><td>day-of-week</td><td>0-7 (0 and 7 are Sunday)</td><td>SUN-SAT</td></tr>
 * </table>
 *
 * <p>Each field is a comma-separated list of elements: {@code *} (every value), a number or name, a
 * range {@code a-b}, or any of these with a step: {@code *}{@code /n} (every n-th value from the
 * first), {@code a-b/n}, and {@code a/n} (from a to the end of the field: {@code 5/20} in the
 * minute field is 5, 25, 45). Names are case-insensitive. A sixth field may be put <em>in
 * front</em>: {@code second minute hour day-of-month month day-of-week}, seconds 0-59, otherwise
 * the same rules; five fields mean second 0. Macros stand for five fields:
 *
 * <ul>
 *   <li>{@code @yearly}, {@code @annually}: {@code 0 0 1 1 *}
 *   <li>{@code @monthly}: {@code 0 0 1 * *}
 *   <li>{@code @weekly}: {@code 0 0 * * 0}
 *   <li>{@code @daily}, {@code @midnight}: {@code 0 0 * * *}
 *   <li>{@code @hourly}: {@code 0 * * * *}
 * </ul>
 *
 * <p><b>Days.</b> As in Vixie cron, if both day fields are restricted (neither begins with {@code
 * *}), a day matches when <em>either</em> matches: {@code 0 12 13 * FRI} is noon on every 13th and
 * on every Friday, not on Fridays the 13th. If either begins with {@code *} (even {@code *}{@code
 * /2}), a day must match both.
 *
 * <p><b>Daylight saving time.</b> {@link #next} works in the zone of its argument. A matching local
 * time that does not exist (the hour skipped when clocks spring forward) fires at the first instant
 * after the gap, once, however many matching times the gap swallowed: {@code 30 2 * * *} in
 * Europe/Berlin fires at 03:00 CEST on the last Sunday of March. A local time that exists twice
 * (the hour repeated when clocks fall back) fires once, at its first, earlier-offset occurrence, so
 * {@code *}{@code /15 * * * *} has no firings during the repeated hour. Use {@code UTC} for a
 * schedule that must tick evenly through the year.
 *
 * <p><b>Errors.</b> {@link #parse} rejects a malformed expression, and one that can never match (
 * {@code 0 0 30 2 *}), with an {@link IllegalArgumentException} naming the field, the offending
 * text and the expression; so {@link #next} always finds a time.
 *
 * <p>Immutable and thread-safe. Two expressions are equal if their fields allow the same values and
 * they combine the day fields the same way ({@code *}{@code /1} equals {@code *}).
 */
public final class CronExpression {

  /*
   * Problem. A recurring job often belongs on the calendar, not on a fixed period: "every weekday
   * at 09:00 Berlin time", "the first of the month". A period of 24 h drifts off 09:00 twice a year
   * when daylight saving time moves the clock, and no period says "weekdays". The classic notation
   * is cron's five fields; what a scheduler needs from it is one operation: the first matching time
   * strictly after now.
   *
   * Idea: a bit set per field, and an odometer. Parsing turns each field into a set of allowed
   * values, a long used as a bit mask (bit v set: value v allowed). The search then works like a
   * car's odometer read from the left: find the first allowed month at or after the current one;
   * within it the first allowed day; within that the first allowed hour, minute, second. A field
   * with no allowed value left in its period carries: the field to its left advances by one and
   * every field to its right restarts at its smallest value. Worked example, "30 9 * * MON-FRI"
   * after Friday 2026-11-27 17:50:
   *
   *     year-month  day       hour  minute
   *     2026-11     27 (Fri)  17    50   start (one second after the argument)
   *                           --    no allowed hour >= 17 in {9}: carry into the day
   *                 28 (Sat)        day 28 and 29 fail MON-FRI, day 30 (Mon) passes
   *                 30 (Mon)  9     30   hour: first >= 0 is 9; minute: first >= 0 is 30  -> done
   *
   * Each step is a mask-and-count (Long.numberOfTrailingZeros of the mask shifted past the current
   * value), so no minute-by-minute scan happens: a call costs a few dozen such steps, plus at most
   * 31 day checks per month visited. The day check is the only one that depends on the calendar
   * (the month's length and the weekday), and it carries the Vixie rule: when both day fields are
   * restricted it is dayOfMonth OR dayOfWeek, otherwise AND. POSIX states the OR rule for lists
   * [6]; Vixie cron decides "restricted" by the field's first character, so "*" + "/2" counts as
   * unrestricted [2]; we do the same so that an expression moved from a crontab keeps its meaning.
   *
   * Invariant. The search returns the smallest local date-time >= its start whose six fields are
   * all allowed (the day by the rule above). It terminates: parse() rejects expressions whose month
   * and day-of-month sets never meet on a real date (a 30th of February), and every remaining
   * expression has a match within the 400-year Gregorian cycle, after which weekdays repeat; the
   * loop is bounded by that. Far matches exist: a 29th of February is up to 8 years away (2096 to
   * 2104), one that must also fall on a weekend (day-of-week "*" + "/6", Sunday and Saturday, whose
   * star makes the rule AND) up to 28 (2088 to 2116).
   *
   * Time zones. The odometer runs on local date-times; next() then maps the match to an instant: a
   * local time in a spring-forward gap maps to the instant the gap ends, one in a fall-back overlap
   * to its earlier offset. This mapping never decreases as local time grows, so the first matching
   * local time after the argument's local time gives the first instant after the argument, with one
   * exception handled before the search: an argument inside the second pass of an overlap, whose
   * following local times (up to the overlap's end) map to instants already past. Vixie cron runs
   * fixed-time jobs skipped by a spring-forward change at once and avoids running them twice on
   * fall back, while jobs with a wildcard hour or minute just follow the new clock [1]; Spring's
   * CronExpression and Nomad's cronexpr skip gap times instead [4][5], which loses a nightly 02:30
   * job once a year. Here one rule covers all expressions.
   *
   * Cost. parse: O(length of the text). next: each carry restarts the odometer from the month, so
   * the work is bounded by the months visited (at most 12 per year searched, with up to 31 day
   * checks each): for the common expressions, whose next time is within a month, a few dozen bit
   * scans and day checks; for the 28-year case above, some 340 months. Not benchmarked: the
   * scheduler computes it once per occurrence, under its lock.
   *
   * Concurrency. Immutable: the masks are final fields set by the constructor and next() works on
   * local variables only, so one instance serves any number of threads without synchronization.
   *
   * Alternatives. Quartz's CronExpression [3] has 6 or 7 fields (seconds first, an optional year),
   * requires "?" in one of the two day fields (so the OR rule cannot arise), numbers weekdays 1-7
   * from Sunday, and adds L (last day), W (nearest weekday) and # (n-th weekday of the month).
   * Spring's CronExpression [4] has 6 fields (seconds first), weekdays 0-7 like cron, accepts
   * Quartz's L, W, # and ?, and requires a day to match both day fields. This class keeps the Unix
   * meaning of five fields and adds only Spring's optional seconds field in front; with six fields
   * the day rule is still Vixie's, so a Spring expression that restricts both day fields means
   * something else here. L, W, # and ? are rejected with a hint rather than half supported.
   *
   * References.
   *  [1] cron(8), Vixie cron / cronie, "Daylight Saving Time and other time changes",
   *      https://man7.org/linux/man-pages/man8/cron.8.html
   *  [2] "The cron bug: day-of-month and day-of-week", https://crontab.guru/cron-bug.html
   *  [3] Quartz CronExpression, https://www.quartz-scheduler.org/api/2.3.0/org/quartz/CronExpression.html
   *  [4] Spring Framework CronExpression, https://docs.spring.io/spring-framework/docs/current/javadoc-api/org/springframework/scheduling/support/CronExpression.html
   *  [5] hashicorp/cronexpr, "Support scheduling for daylight savings",
   *      https://github.com/hashicorp/cronexpr/pull/1
   *  [6] POSIX crontab, https://pubs.opengroup.org/onlinepubs/9699919799/utilities/crontab.html
   */

  /**
   * Years the search may cover: the Gregorian calendar repeats its weekdays every 400 years, so an
   * expression that parse() accepts matches within that span.
   */
  private static final int SEARCH_YEARS = 400;

  /** Longest number we parse; longer digit strings are out of every field's range anyway. */
  private static final int MAX_DIGITS = 4;

  /** Three letters per value, in order from the field's first named value. */
  private static final String MONTH_NAMES = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

  private static final String DAY_NAMES = "SUNMONTUEWEDTHUFRISAT";

  /** The six fields: their name in messages, their range, and the names they accept. */
  private enum Field {
    SECOND("second", 0, 59, 59, null, 0),
    MINUTE("minute", 0, 59, 59, null, 0),
    HOUR("hour", 0, 23, 23, null, 0),
    DAY_OF_MONTH("day-of-month", 1, 31, 31, null, 0),
    MONTH("month", 1, 12, 12, MONTH_NAMES, 1),
    // 7 is accepted for Sunday (and folded onto 0); "*" and "a/n" stop at 6, Saturday.
    DAY_OF_WEEK("day-of-week", 0, 7, 6, DAY_NAMES, 0);

    final String label;
    final int min;
    final int max; // largest value written
    final int last; // end of "*" and of "a/n"
    final String names; // three letters per value, or null
    final int firstNameValue; // the value of names[0]

    Field(String label, int min, int max, int last, String names, int firstNameValue) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.last = last;
      this.names = names;
      this.firstNameValue = firstNameValue;
    }
  }

  private final String expression; // as given, trimmed
  private final long seconds; // bit s: second s is allowed
  private final long minutes;
  private final long hours;
  private final long daysOfMonth; // bits 1-31
  private final long months; // bits 1-12
  private final long daysOfWeek; // bits 0-6, 0 = Sunday
  private final boolean eitherDay; // both day fields restricted: a day matches if either does

  private CronExpression(String expression, long[] masks, boolean eitherDay) {
    this.expression = expression;
    this.seconds = masks[0];
    this.minutes = masks[1];
    this.hours = masks[2];
    this.daysOfMonth = masks[3];
    this.months = masks[4];
    this.daysOfWeek = masks[5];
    this.eitherDay = eitherDay;
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing
  // ---------------------------------------------------------------------------------------------

  /**
   * Parses a cron expression: five fields, six with seconds in front, or a macro such as {@code
   * @daily} (see the class comment).
   *
   * @param expression the expression; surrounding blanks are ignored
   * @return the parsed expression
   * @throws NullPointerException if {@code expression} is null
   * @throws IllegalArgumentException if it is malformed or can never match; the message names the
   *     field and the offending text
   */
  public static CronExpression parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    String text = expression.strip();
    String fieldsText = text.startsWith("@") ? macro(text) : text;
    String[] parts = fieldsText.isEmpty() ? new String[0] : fieldsText.split("\\s+");
    if (parts.length != 5 && parts.length != 6) {
      throw new IllegalArgumentException(
          "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (second first),"
              + " found "
              + parts.length
              + " in '"
              + text
              + "'"
              + (parts.length == 7 ? " (a 7th field, the year, is Quartz syntax)" : ""));
    }
    int offset = parts.length == 6 ? 0 : 1; // five fields: no second field, second 0
    long[] masks = new long[6];
    masks[0] = 1L; // second 0
    Field[] fields = Field.values();
    for (int i = 0; i < parts.length; i++) {
      masks[i + offset] = parseField(fields[i + offset], parts[i], text);
    }
    String dayOfMonthText = parts[parts.length - 3];
    String dayOfWeekText = parts[parts.length - 1];
    boolean eitherDay = !dayOfMonthText.startsWith("*") && !dayOfWeekText.startsWith("*");
    if (!eitherDay) {
      checkSomeDayExists(masks[3], masks[4], dayOfMonthText, text);
    }
    return new CronExpression(text, masks, eitherDay);
  }

  private static String macro(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "@yearly", "@annually" -> {
        return "0 0 1 1 *";
      }
      case "@monthly" -> {
        return "0 0 1 * *";
      }
      case "@weekly" -> {
        return "0 0 * * 0";
      }
      case "@daily", "@midnight" -> {
        return "0 0 * * *";
      }
      case "@hourly" -> {
        return "0 * * * *";
      }
      default ->
          throw new IllegalArgumentException(
              "unknown macro '"
                  + text
                  + "': expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or"
                  + " @hourly");
    }
  }

  /**
   * When a day must match both day fields, the day-of-month set alone decides whether any date
   * exists: a day of the month that exists in an allowed month falls on every weekday within the
   * 400-year cycle. So only "30 2", "31 4,6,9,11" and the like are impossible.
   */
  private static void checkSomeDayExists(long days, long monthMask, String daysText, String text) {
    int firstDay = nextBit(days, 1);
    for (int month = 1; month <= 12; month++) {
      if ((monthMask & (1L << month)) != 0 && firstDay <= Month.of(month).maxLength()) {
        return; // maxLength: 29 for February, which leap years reach
      }
    }
    throw fieldError(Field.DAY_OF_MONTH, daysText + " never occurs in the months allowed", text);
  }

  private static long parseField(Field field, String part, String text) {
    long mask = 0;
    for (String element : part.split(",", -1)) {
      if (element.isEmpty()) {
        throw fieldError(field, "empty element in the list " + part, text);
      }
      mask |= parseElement(field, element, text);
    }
    return mask;
  }

  /**
   * One list element: {@code *}, {@code v}, {@code a-b}, each optionally followed by {@code /n}.
   */
  private static long parseElement(Field field, String element, String text) {
    int slash = element.indexOf('/');
    String range = slash < 0 ? element : element.substring(0, slash);
    int step = 1;
    if (slash >= 0) {
      String stepText = element.substring(slash + 1);
      step = parseNumber(field, stepText, text, "step");
      if (step < 1 || step > field.last) {
        throw fieldError(
            field,
            "step " + stepText + " of " + element + " is out of range 1-" + field.last,
            text);
      }
    }
    int from;
    int to;
    if (range.equals("*")) {
      from = field.min;
      to = field.last;
    } else {
      int dash = range.indexOf('-');
      if (dash < 0) {
        from = parseValue(field, range, text);
        // "a/n": from a to the end of the field (7/n in day-of-week: Sunday alone)
        to = slash >= 0 ? Math.max(from, field.last) : from;
      } else {
        from = parseValue(field, range.substring(0, dash), text);
        to = parseValue(field, range.substring(dash + 1), text);
        if (from > to) {
          throw fieldError(field, "range " + range + " runs backwards", text);
        }
      }
    }
    long mask = 0;
    for (int v = from; v <= to; v += step) {
      mask |= 1L << (field == Field.DAY_OF_WEEK && v == 7 ? 0 : v);
    }
    return mask;
  }

  private static int parseValue(Field field, String token, String text) {
    if (field.names != null && token.length() == 3) {
      int at = field.names.indexOf(token.toUpperCase(Locale.ROOT));
      if (at >= 0 && at % 3 == 0) {
        return field.firstNameValue + at / 3;
      }
    }
    int value = parseNumber(field, token, text, "value");
    if (value < field.min || value > field.max) {
      throw fieldError(field, token + " is out of range " + field.min + "-" + field.max, text);
    }
    return value;
  }

  /** Digits only (no sign, no blanks); anything else is explained, Quartz syntax with a hint. */
  private static int parseNumber(Field field, String token, String text, String what) {
    boolean digits = !token.isEmpty();
    for (int i = 0; i < token.length(); i++) {
      digits &= token.charAt(i) >= '0' && token.charAt(i) <= '9';
    }
    if (!digits) {
      String problem;
      if (token.isEmpty()) {
        problem = "missing " + what;
      } else if (token.equals("?")) {
        problem = "'?' is Quartz syntax, not Unix cron (write *)";
      } else if (token.contains("#") || token.matches("\\d*[LW]+")) {
        problem = "'" + token + "' is Quartz syntax (L, W, #), not supported";
      } else if (field.names != null) {
        problem =
            "'"
                + token
                + "' is neither a number nor a name ("
                + field.names.substring(0, 3)
                + "-"
                + field.names.substring(field.names.length() - 3)
                + ")";
      } else {
        problem = "'" + token + "' is not a number";
      }
      throw fieldError(field, problem, text);
    }
    if (token.length() > MAX_DIGITS) {
      throw fieldError(field, token + " is out of range " + field.min + "-" + field.max, text);
    }
    return Integer.parseInt(token);
  }

  private static IllegalArgumentException fieldError(Field field, String problem, String text) {
    return new IllegalArgumentException(field.label + " field: " + problem + " in '" + text + "'");
  }

  // ---------------------------------------------------------------------------------------------
  // Search
  // ---------------------------------------------------------------------------------------------

  /**
   * Returns the first time strictly after {@code after} that this expression matches, in the zone
   * of {@code after}; see the class comment for daylight saving time.
   *
   * @param after the time to search from; its zone is the zone of the schedule
   * @return the next matching time, in the same zone, with zero nanoseconds
   * @throws NullPointerException if {@code after} is null
   * @throws DateTimeException if that time lies beyond the year 999,999,999
   */
  public ZonedDateTime next(ZonedDateTime after) {
    Objects.requireNonNull(after, "after");
    ZoneId zone = after.getZone();
    ZoneRules rules = zone.getRules();
    LocalDateTime local = after.toLocalDateTime();
    LocalDateTime from = local.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZoneOffsetTransition overlap = rules.getTransition(local);
    if (overlap != null
        && overlap.isOverlap()
        && after.getOffset().equals(overlap.getOffsetAfter())
        && from.isBefore(overlap.getDateTimeBefore())) {
      // The second pass of a repeated hour: its local times fired (or were due) in the first pass.
      from = overlap.getDateTimeBefore();
    }
    LocalDateTime match = nextLocal(from);
    ZoneOffsetTransition gap = rules.getTransition(match);
    if (gap != null && gap.isGap()) {
      return ZonedDateTime.ofInstant(gap.getInstant(), zone); // the first instant after the gap
    }
    return ZonedDateTime.ofLocal(match, zone, null); // in an overlap: the earlier offset
  }

  /** The smallest matching local date-time at or after {@code from} (whole seconds). */
  private LocalDateTime nextLocal(LocalDateTime from) {
    int year = from.getYear();
    int month = from.getMonthValue();
    int day = from.getDayOfMonth();
    int hour = from.getHour();
    int minute = from.getMinute();
    int second = from.getSecond();
    int lastYear = year + SEARCH_YEARS;
    while (year <= lastYear) {
      int m = nextBit(months, month);
      if (m < 0) { // no allowed month left this year
        year++;
        month = 1;
        day = 1;
        hour = 0;
        minute = 0;
        second = 0;
        continue;
      }
      if (m != month) {
        month = m;
        day = 1;
        hour = 0;
        minute = 0;
        second = 0;
      }
      int d = nextDay(year, month, day);
      if (d < 0) {
        month++;
        day = 1;
        hour = 0;
        minute = 0;
        second = 0;
        continue;
      }
      if (d != day) {
        day = d;
        hour = 0;
        minute = 0;
        second = 0;
      }
      int h = nextBit(hours, hour);
      if (h < 0) {
        day++;
        hour = 0;
        minute = 0;
        second = 0;
        continue;
      }
      if (h != hour) {
        hour = h;
        minute = 0;
        second = 0;
      }
      int mi = nextBit(minutes, minute);
      if (mi < 0) {
        hour++;
        minute = 0;
        second = 0;
        continue;
      }
      if (mi != minute) {
        minute = mi;
        second = 0;
      }
      int s = nextBit(seconds, second);
      if (s < 0) {
        minute++;
        second = 0;
        continue;
      }
      return LocalDateTime.of(year, month, day, hour, minute, s);
    }
    // parse() rejected every expression that cannot match; the rest match within the cycle.
    throw new AssertionError("no time matches '" + expression + "' within " + SEARCH_YEARS + " y");
  }

  /** The first allowed day at or after {@code from} in the month, or -1. */
  private int nextDay(int year, int month, int from) {
    int length = LocalDate.of(year, month, 1).lengthOfMonth();
    if (from > length) {
      return -1;
    }
    int weekday = LocalDate.of(year, month, from).getDayOfWeek().getValue() % 7; // Sunday = 0
    for (int d = from; d <= length; d++) {
      boolean byMonth = (daysOfMonth & (1L << d)) != 0;
      boolean byWeek = (daysOfWeek & (1L << weekday)) != 0;
      if (eitherDay ? byMonth || byWeek : byMonth && byWeek) {
        return d;
      }
      weekday = weekday == 6 ? 0 : weekday + 1;
    }
    return -1;
  }

  /** The smallest set bit at index {@code from} or above, or -1. */
  private static int nextBit(long mask, int from) {
    if (from >= Long.SIZE) {
      return -1;
    }
    long rest = mask & (-1L << from);
    return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
  }

  // ---------------------------------------------------------------------------------------------
  // Object
  // ---------------------------------------------------------------------------------------------

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CronExpression that)) {
      return false;
    }
    return seconds == that.seconds
        && minutes == that.minutes
        && hours == that.hours
        && daysOfMonth == that.daysOfMonth
        && months == that.months
        && daysOfWeek == that.daysOfWeek
        && eitherDay == that.eitherDay;
  }

  @Override
  public int hashCode() {
    return Objects.hash(seconds, minutes, hours, daysOfMonth, months, daysOfWeek, eitherDay);
  }

  /**
   * Returns the expression as given to {@link #parse}, without surrounding blanks.
   *
   * @return the expression text
   */
  @Override
  public String toString() {
    return expression;
  }
}
