package dev.sysblocks.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random expressions and random start times against a brute-force reference written from the
 * definition: walk the local date-times of the zone second by second in the allowed seconds, minute
 * by minute, day by day (a day whose date does not match has no matching time and is stepped over
 * whole), map each matching local time to an instant (a time in a spring-forward gap to the instant
 * the gap ends, a time in a fall-back overlap to its earlier instant) and take the first instant
 * strictly after the start. The expression is generated as a structure, rendered to text and
 * expanded by the model on its own, so the parser is checked along with the search. Start times are
 * drawn both uniformly and within hours of a daylight saving transition, in zones with ordinary
 * (Berlin, New York), half-hour (Lord Howe) and midnight (Cairo, S&atilde;o Paulo before 2019)
 * transitions.
 */
class CronExpressionPropertyTest {

  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private static final List<ZoneId> ZONES =
      List.of(
          ZoneOffset.UTC,
          ZoneId.of("Europe/Berlin"),
          ZoneId.of("America/New_York"),
          ZoneId.of("Australia/Lord_Howe"),
          ZoneId.of("Africa/Cairo"),
          ZoneId.of("America/Sao_Paulo"));

  /** One list element of a field: the kinds of the syntax, with their numbers. */
  record Element(int kind, int a, int b, int step, boolean name, boolean lowerCase) {}

  /** A field's range as the syntax sees it. */
  record Range(
      int min, int max, int last, List<String> names, int firstNameValue, boolean weekday) {}

  private static final Range SECOND = new Range(0, 59, 59, null, 0, false);
  private static final Range MINUTE = new Range(0, 59, 59, null, 0, false);
  private static final Range HOUR = new Range(0, 23, 23, null, 0, false);
  private static final Range DAY_OF_MONTH = new Range(1, 31, 31, null, 0, false);
  private static final Range MONTH = new Range(1, 12, 12, MONTHS, 1, false);
  private static final Range DAY_OF_WEEK = new Range(0, 7, 6, DAYS, 0, true);

  // ---------------------------------------------------------------------------------------------
  // Generators
  // ---------------------------------------------------------------------------------------------

  /** Elements: 0 "*", 1 "v", 2 "a-b", 3 "*" + "/n", 4 "a-b/n", 5 "a/n". */
  private static Arbitrary<List<Element>> field(Range r) {
    Arbitrary<Element> element =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(r.min(), r.max()),
                Arbitraries.integers().between(r.min(), r.max()),
                Arbitraries.integers().between(1, Math.min(r.last(), 15)),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false))
            .as(
                (kind, x, y, step, name, lower) ->
                    new Element(
                        kind,
                        Math.min(x, y),
                        Math.max(x, y),
                        step,
                        name && r.names() != null,
                        lower));
    Arbitrary<List<Element>> list = element.list().ofMinSize(1).ofMaxSize(3);
    Arbitrary<List<Element>> star =
        Arbitraries.just(List.of(new Element(0, 0, 0, 1, false, false)));
    return Arbitraries.frequencyOf(Tuple.of(2, star), Tuple.of(3, list));
  }

  /** A whole expression: six fields (the first, seconds, used only when {@code seconds}). */
  record Expression(boolean seconds, List<List<Element>> fields) {}

  @Provide
  Arbitrary<Expression> expressions() {
    Arbitrary<List<Element>> second =
        Arbitraries.frequencyOf(
            Tuple.of(1, field(SECOND)),
            Tuple.of(1, Arbitraries.just(List.of(new Element(1, 0, 0, 1, false, false)))));
    return Combinators.combine(
            Arbitraries.integers().between(0, 3).map(i -> i == 0),
            second,
            field(MINUTE),
            field(HOUR),
            field(DAY_OF_MONTH),
            field(MONTH),
            field(DAY_OF_WEEK))
        .as(
            (s, sec, min, h, dom, mon, dow) ->
                new Expression(s, List.of(sec, min, h, dom, mon, dow)));
  }

  @Provide
  Arbitrary<ZonedDateTime> starts() {
    Arbitrary<ZoneId> zone = Arbitraries.of(ZONES);
    Arbitrary<Long> uniform =
        Arbitraries.longs()
            .between(
                Instant.parse("1995-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2060-01-01T00:00:00Z").getEpochSecond());
    Arbitrary<Integer> nanos =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.just(0)),
            Tuple.of(1, Arbitraries.integers().between(0, 999_999_999)));
    Arbitrary<Integer> nearTransition = Arbitraries.integers().between(-4 * 3600, 4 * 3600);
    Arbitrary<Integer> year = Arbitraries.integers().between(1995, 2040);
    return Combinators.combine(
            zone, uniform, nanos, nearTransition, year, Arbitraries.integers().between(0, 2))
        .as(
            (z, epochSecond, nano, delta, y, mode) -> {
              Instant start = Instant.ofEpochSecond(epochSecond, nano);
              if (mode > 0) { // near the first or second transition of the year, if any
                ZoneRules rules = z.getRules();
                ZoneOffsetTransition t =
                    rules.nextTransition(
                        LocalDate.of(y, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant());
                if (t != null && mode == 2) {
                  ZoneOffsetTransition second2 = rules.nextTransition(t.getInstant());
                  t = second2 != null ? second2 : t;
                }
                if (t != null) {
                  start = t.getInstant().plusSeconds(delta).plusNanos(nano);
                }
              }
              return ZonedDateTime.ofInstant(start, z);
            });
  }

  // ---------------------------------------------------------------------------------------------
  // The property
  // ---------------------------------------------------------------------------------------------

  @Property(tries = 1500)
  void nextAgreesWithTheBruteForceReference(
      @ForAll("expressions") Expression e, @ForAll("starts") ZonedDateTime start) {
    String text = render(e);
    Model model = new Model(e);
    if (!model.satisfiable()) {
      assertThatThrownBy(() -> CronExpression.parse(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("day-of-month field: ");
      return;
    }
    CronExpression cron = CronExpression.parse(text);
    ZonedDateTime t = start;
    for (int i = 0; i < 3; i++) {
      ZonedDateTime expected = model.next(t);
      ZonedDateTime actual = cron.next(t);
      assertThat(actual).as("%s after %s", text, t).isEqualTo(expected);
      t = actual;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering and the model
  // ---------------------------------------------------------------------------------------------

  private static final Range[] RANGES = {SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK};

  static String render(Expression e) {
    List<String> parts = new ArrayList<>();
    for (int f = e.seconds() ? 0 : 1; f < 6; f++) {
      List<String> elements = new ArrayList<>();
      for (Element el : e.fields().get(f)) {
        elements.add(render(el, RANGES[f]));
      }
      parts.add(String.join(",", elements));
    }
    return String.join(" ", parts);
  }

  private static String render(Element el, Range r) {
    return switch (el.kind()) {
      case 0 -> "*";
      case 1 -> value(el.a(), el, r);
      case 2 -> value(el.a(), el, r) + "-" + value(el.b(), el, r);
      case 3 -> "*/" + el.step();
      case 4 -> value(el.a(), el, r) + "-" + value(el.b(), el, r) + "/" + el.step();
      default -> value(el.a(), el, r) + "/" + el.step();
    };
  }

  private static String value(int v, Element el, Range r) {
    if (!el.name() || (r.weekday() && v == 7)) {
      return Integer.toString(v);
    }
    String name = r.names().get(v - r.firstNameValue());
    return el.lowerCase() ? name.toLowerCase(Locale.ROOT) : name;
  }

  /** The expression's meaning, computed from its structure. */
  static final class Model {
    final List<TreeSet<Integer>> sets = new ArrayList<>();
    final boolean eitherDay;

    Model(Expression e) {
      for (int f = 0; f < 6; f++) {
        TreeSet<Integer> set = new TreeSet<>();
        if (f == 0 && !e.seconds()) {
          set.add(0);
        } else {
          for (Element el : e.fields().get(f)) {
            expand(el, RANGES[f], set);
          }
        }
        sets.add(set);
      }
      eitherDay = !startsWithStar(e.fields().get(3)) && !startsWithStar(e.fields().get(5));
    }

    private static boolean startsWithStar(List<Element> field) {
      int kind = field.get(0).kind();
      return kind == 0 || kind == 3;
    }

    private static void expand(Element el, Range r, Set<Integer> set) {
      int from;
      int to;
      int step = 1;
      switch (el.kind()) {
        case 0 -> {
          from = r.min();
          to = r.last();
        }
        case 1 -> {
          from = el.a();
          to = el.a();
        }
        case 2 -> {
          from = el.a();
          to = el.b();
        }
        case 3 -> {
          from = r.min();
          to = r.last();
          step = el.step();
        }
        case 4 -> {
          from = el.a();
          to = el.b();
          step = el.step();
        }
        default -> {
          from = el.a();
          to = Math.max(el.a(), r.last()); // "7/n" in day-of-week: 7 alone
          step = el.step();
        }
      }
      for (int v = from; v <= to; v += step) {
        set.add(r.weekday() && v == 7 ? 0 : v);
      }
    }

    boolean satisfiable() {
      if (eitherDay) {
        return true;
      }
      for (int month : sets.get(4)) {
        for (int day : sets.get(3)) {
          if (day <= Month.of(month).maxLength()) {
            return true;
          }
        }
      }
      return false;
    }

    boolean dayMatches(LocalDate date) {
      if (!sets.get(4).contains(date.getMonthValue())) {
        return false;
      }
      boolean byMonth = sets.get(3).contains(date.getDayOfMonth());
      boolean byWeek = sets.get(5).contains(date.getDayOfWeek().getValue() % 7);
      return eitherDay ? byMonth || byWeek : byMonth && byWeek;
    }

    /**
     * The first matching time strictly after {@code after}. Local times at or before the start's
     * local time map to instants at or before the start (the mapping never decreases), so the walk
     * begins there.
     */
    ZonedDateTime next(ZonedDateTime after) {
      ZoneId zone = after.getZone();
      LocalDateTime startLocal = after.toLocalDateTime();
      LocalDate date = startLocal.toLocalDate();
      for (int days = 0; days < 401 * 366; days++, date = date.plusDays(1)) {
        if (!dayMatches(date)) {
          continue;
        }
        for (int h : sets.get(2)) {
          for (int m : sets.get(1)) {
            if (LocalDateTime.of(date, LocalTime.of(h, m, 59)).isBefore(startLocal)) {
              continue;
            }
            for (int s : sets.get(0)) {
              LocalDateTime local = LocalDateTime.of(date, LocalTime.of(h, m, s));
              if (!local.isAfter(startLocal.withNano(0))) {
                continue;
              }
              Instant instant = instantOf(local, zone);
              if (instant.isAfter(after.toInstant())) {
                return ZonedDateTime.ofInstant(instant, zone);
              }
            }
          }
        }
      }
      throw new AssertionError("no match within 400 years");
    }

    /** A gap's local time maps to the gap's end; an overlap's to its earlier instant. */
    static Instant instantOf(LocalDateTime local, ZoneId zone) {
      ZoneRules rules = zone.getRules();
      List<ZoneOffset> offsets = rules.getValidOffsets(local);
      if (offsets.isEmpty()) {
        return rules.getTransition(local).getInstant();
      }
      Instant earliest = null;
      for (ZoneOffset o : offsets) {
        Instant i = local.toInstant(o);
        earliest = earliest == null || i.isBefore(earliest) ? i : earliest;
      }
      return earliest;
    }
  }
}
