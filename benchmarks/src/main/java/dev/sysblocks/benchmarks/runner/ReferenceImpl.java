package dev.sysblocks.benchmarks.runner;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names one {@code impl} of a benchmark class that every row of its ratio tables is also compared
 * with, in a column of its own ("speed vs <i>impl</i>") beside "speed vs best peer". For targets
 * stated against one fixed peer rather than the fastest one, e.g. "at least 2.5x the synchronized
 * {@code LinkedHashMap}": the reader then finds both ratios in one row. The named implementation
 * stays a peer: it can be the best peer too.
 *
 * <pre>{@code
 * @ReferenceImpl("jdk-syncLinkedHashMap")
 * public class CacheGetPutBenchmark { @Param({...}) public String impl; ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ReferenceImpl {

  /**
   * The implementation's name, one of the class's {@code impl} parameter values.
   *
   * @return the name
   */
  String value();
}
