package dev.sysblocks.benchmarks.runner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Renders benchmark rows as Markdown: one table per benchmark method and parameter combination,
 * each implementation with its score, allocation, and its speed relative to the best peer measured
 * in the same run. Ratios, not absolute times, are what survive a noisy shared machine. Rows named
 * {@code baseline-…} are shown for scale but never count as the best peer. A class may also name a
 * {@link ReferenceImpl reference implementation}: its tables then get a second ratio column, speed
 * relative to that one, whose header names it.
 */
final class RatioReport {

  private RatioReport() {}

  /**
   * Renders the tables for {@code rows}, grouped by benchmark method and then by the non-impl
   * parameters, in the order the rows arrive.
   */
  static String tables(List<Row> rows) {
    return tables(rows, Optional.empty());
  }

  /**
   * As {@link #tables(List)}, with a "speed vs {@code reference}" column in every table that has a
   * row of that implementation.
   */
  static String tables(List<Row> rows, Optional<String> reference) {
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    for (Row row : rows) {
      groups.computeIfAbsent(groupTitle(row), k -> new ArrayList<>()).add(row);
    }
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, List<Row>> group : groups.entrySet()) {
      out.append("#### ").append(group.getKey()).append("\n\n");
      out.append(table(group.getValue(), reference)).append('\n');
    }
    return out.toString();
  }

  /** Renders one comparison table; all rows must share benchmark and parameters. */
  static String table(List<Row> rows) {
    return table(rows, Optional.empty());
  }

  /**
   * As {@link #table(List)}; if {@code reference} names an implementation among {@code rows}, a
   * last column gives each row's speed relative to it.
   */
  static String table(List<Row> rows, Optional<String> reference) {
    Optional<Row> bestPeer = bestPeer(rows);
    Optional<Row> referenceRow =
        reference.flatMap(name -> rows.stream().filter(r -> r.impl().equals(name)).findFirst());
    String unit = rows.get(0).unit();
    StringBuilder out = new StringBuilder();
    out.append("| implementation | ")
        .append(unit)
        .append(" | ± (99.9%) | B/op | speed vs best peer |");
    referenceRow.ifPresent(r -> out.append(" speed vs ").append(r.impl()).append(" |"));
    out.append("\n| --- | ---: | ---: | ---: | ---: |");
    referenceRow.ifPresent(r -> out.append(" ---: |"));
    out.append('\n');
    for (Row row : rows) {
      String name = row.isOurs() ? "**" + row.impl() + "**" : row.impl();
      out.append("| ")
          .append(name)
          .append(" | ")
          .append(number(row.score()))
          .append(" | ")
          .append(number(row.error()))
          .append(" | ")
          .append(bytes(row.allocBytesPerOp()))
          .append(" | ")
          .append(ratio(row, bestPeer))
          .append(" |");
      referenceRow.ifPresent(r -> out.append(' ').append(ratio(row, referenceRow)).append(" |"));
      out.append('\n');
    }
    return out.toString();
  }

  /** {@code row}'s speed relative to {@code other}, bold for ours; a dash without {@code other}. */
  private static String ratio(Row row, Optional<Row> other) {
    if (other.isEmpty()) {
      return "—";
    }
    String ratio = String.format(Locale.ROOT, "%.2f×", row.speedupOver(other.get()));
    return row.isOurs() ? "**" + ratio + "**" : ratio;
  }

  /**
   * The peer (an implementation neither ours nor a baseline) with the best score, if the group has
   * any peer.
   */
  static Optional<Row> bestPeer(List<Row> rows) {
    Comparator<Row> better =
        Comparator.comparingDouble(r -> r.higherIsBetter() ? r.score() : -r.score());
    return rows.stream().filter(r -> !r.isOurs() && !r.isBaseline()).max(better);
  }

  /** {@code Class.method (param=value, ...)}: the simple class name keeps titles short. */
  static String groupTitle(Row row) {
    String name = row.benchmark();
    int methodDot = name.lastIndexOf('.');
    String method = methodDot < 0 ? name : name.substring(name.lastIndexOf('.', methodDot - 1) + 1);
    if (row.params().isEmpty()) {
      return method;
    }
    String params =
        row.params().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
    return method + " (" + params + ")";
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    double abs = Math.abs(value);
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  static String bytes(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    // Rounded to whole bytes: -prof gc reports a tiny residue (around 1e-5 B/op) for
    // allocation-free code, JMH's own bookkeeping spread over millions of operations.
    return String.format(Locale.ROOT, "%,.0f", value);
  }
}
