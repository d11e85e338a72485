package dev.sysblocks.benchmarks.cache;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads the shared cache traces ({@code shared/traces/PROVENANCE.md} beside the project's root),
 * which are never copied into the project: their reference table and their request streams. The
 * same formats as the cache module's test reader, which this module cannot see (test code).
 */
final class TraceFiles {

  /** The reference table's file name inside the traces directory. */
  static final String REFERENCES = "reference-hit-ratios.csv";

  private TraceFiles() {}

  /**
   * The traces directory: the system property {@code sysblocks.traces} if set, else {@code
   * ../shared/traces} from the working directory, which is the project's root under {@code
   * ./bench}.
   *
   * @return the directory, which may not exist
   */
  static Path defaultDirectory() {
    String configured = System.getProperty("sysblocks.traces");
    return configured == null ? Path.of("..", "shared", "traces") : Path.of(configured);
  }

  static boolean available(Path directory) {
    return Files.isRegularFile(directory.resolve(REFERENCES));
  }

  /**
   * One row of the reference table: a trace, a cache size and hit ratios in percent by column
   * ({@code opt}, {@code lru}, {@code sieve}, ...).
   */
  record Reference(String trace, int cacheSize, Map<String, Double> percentByColumn) {
    Reference {
      percentByColumn = Map.copyOf(percentByColumn);
    }

    double percent(String column) {
      Double p = percentByColumn.get(column);
      if (p == null) {
        throw new IllegalArgumentException("no column " + column + " in " + REFERENCES);
      }
      return p;
    }
  }

  static List<Reference> references(Path directory) throws IOException {
    List<String> lines = Files.readAllLines(directory.resolve(REFERENCES), StandardCharsets.UTF_8);
    String[] header = lines.get(0).split(",", -1);
    List<Reference> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      Map<String, Double> byColumn = new LinkedHashMap<>();
      for (int i = 2; i < cells.length; i++) {
        byColumn.put(header[i], Double.parseDouble(cells[i]));
      }
      rows.add(new Reference(cells[0], Integer.parseInt(cells[1]), byColumn));
    }
    return rows;
  }

  /**
   * The requests of trace {@code name}, each key boxed once per request (replays are not timed).
   * LIRS traces ({@code lirs/<name>.trace.gz}): one decimal key per line, empty lines and lines
   * equal to {@code *} ignored. cache2k traces ({@code cache2k/<name>.trace.gz}): big-endian 4-byte
   * signed ints.
   */
  static Long[] requests(Path directory, String name) throws IOException {
    Path lirs = directory.resolve("lirs").resolve(name + ".trace.gz");
    Path cache2k = directory.resolve("cache2k").resolve(name + ".trace.gz");
    List<Long> keys = new ArrayList<>();
    if (Files.exists(lirs)) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(lirs));
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
        for (String line; (line = reader.readLine()) != null; ) {
          String t = line.trim();
          if (!t.isEmpty() && !t.equals("*")) {
            keys.add(Long.parseLong(t));
          }
        }
      }
    } else if (Files.exists(cache2k)) {
      try (DataInputStream in =
          new DataInputStream(
              new BufferedInputStream(new GZIPInputStream(Files.newInputStream(cache2k))))) {
        for (; ; ) {
          try {
            keys.add((long) in.readInt());
          } catch (EOFException end) {
            break;
          }
        }
      }
    } else {
      throw new IllegalArgumentException("no trace file for " + name + " in " + directory);
    }
    return keys.toArray(new Long[0]);
  }
}
