package dev.sysblocks.cache;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * Reads the shared cache traces described in {@code shared/traces/PROVENANCE.md}, which live beside
 * the project and are never copied into it. The directory is the system property {@code
 * sysblocks.traces} (set by the module's pom), else {@code ../../shared/traces} from the module.
 */
final class Traces {

  private static final Map<String, long[]> LOADED = new ConcurrentHashMap<>();

  private Traces() {}

  static Path directory() {
    String configured = System.getProperty("sysblocks.traces");
    return configured == null ? Paths.get("../../shared/traces") : Paths.get(configured);
  }

  static boolean available() {
    return Files.isRegularFile(directory().resolve("reference-hit-ratios.csv"));
  }

  static String unavailableMessage() {
    return "cache traces not found at "
        + directory().toAbsolutePath().normalize()
        + " (set -Dsysblocks.traces=...); skipping trace replays";
  }

  /** One row of reference-hit-ratios.csv: hit ratios in percent per policy column. */
  record Reference(String trace, int cacheSize, Map<String, Double> percentByPolicy) {
    double percent(String policy) {
      Double p = percentByPolicy.get(policy);
      if (p == null) {
        throw new IllegalArgumentException("no column " + policy);
      }
      return p;
    }
  }

  static List<Reference> references() {
    try {
      List<String> lines =
          Files.readAllLines(
              directory().resolve("reference-hit-ratios.csv"), StandardCharsets.UTF_8);
      String[] header = lines.get(0).split(",", -1);
      List<Reference> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        Map<String, Double> byPolicy = new LinkedHashMap<>();
        for (int i = 2; i < cells.length; i++) {
          byPolicy.put(header[i], Double.parseDouble(cells[i]));
        }
        rows.add(new Reference(cells[0], Integer.parseInt(cells[1]), byPolicy));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The keys of a trace, by name ("gli", "web07", ...), read once and kept for the run. */
  static long[] keys(String trace) {
    return LOADED.computeIfAbsent(trace, Traces::read);
  }

  private static long[] read(String trace) {
    Path lirs = directory().resolve("lirs").resolve(trace + ".trace.gz");
    Path cache2k = directory().resolve("cache2k").resolve(trace + ".trace.gz");
    try {
      if (Files.exists(lirs)) {
        return readText(lirs);
      }
      if (Files.exists(cache2k)) {
        return readBinaryInts(cache2k);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no trace file for " + trace + " in " + directory());
  }

  /** LIRS format: one decimal key per line; empty lines and lines equal to "*" are ignored. */
  private static long[] readText(Path file) throws IOException {
    LongList keys = new LongList();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      for (String line; (line = reader.readLine()) != null; ) {
        String t = line.trim();
        if (!t.isEmpty() && !t.equals("*")) {
          keys.add(Long.parseLong(t));
        }
      }
    }
    return keys.toArray();
  }

  /** cache2k format: big-endian 4-byte signed ints. */
  private static long[] readBinaryInts(Path file) throws IOException {
    LongList keys = new LongList();
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file))))) {
      for (; ; ) {
        try {
          keys.add(in.readInt());
        } catch (EOFException end) {
          return keys.toArray();
        }
      }
    }
  }

  /** Hit ratio in percent of a single-threaded replay: getIfPresent, and put on a miss. */
  static double replay(Cache<Long, Long> cache, long[] keys) {
    long hits = 0;
    for (long key : keys) {
      Long boxed = key;
      if (cache.getIfPresent(boxed) == null) {
        cache.put(boxed, boxed);
      } else {
        hits++;
      }
    }
    return 100.0 * hits / keys.length;
  }

  private static final class LongList {
    private long[] values = new long[1 << 12];
    private int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
