package dev.sysblocks.scheduler;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the builders: one message shape for every parameter. */
final class Checks {

  private Checks() {}

  static long nonNegativeNanos(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + duration);
    }
    return nanos(duration, name);
  }

  static long positiveNanos(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return nanos(duration, name);
  }

  private static long nanos(Duration duration, String name) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          name + " is too long to express in nanoseconds: " + duration, e);
    }
  }
}
