package dev.sysblocks.benchmarks.runner;

import java.io.IOException;

/**
 * A result that is not a JMH timing (hit ratios, memory per entry) but belongs in the same report:
 * {@link Bench} runs each registered one whose class name matches the run's regexes, in the Bench
 * JVM itself, and writes its Markdown to {@code <SimpleName>.md} beside the JMH reports, so that
 * full mode also puts it into the README. Implementations have a public no-argument constructor
 * that does no work.
 */
public interface StandaloneReport {

  /**
   * Computes the result.
   *
   * @param smoke true in smoke mode: tiny inputs, only to prove that the report runs
   * @return Markdown starting with {@code ### <SimpleName>}
   * @throws IOException if an input file cannot be read
   */
  String markdown(boolean smoke) throws IOException;
}
