package dev.sysblocks.ratelimit;

/**
 * Left padding of a {@link LongCell}: 64 bytes of fields that keep whatever the JVM allocates just
 * before the cell off the cache line of its value. Padding through the class hierarchy is reliable
 * because a subclass's fields are laid out after all of its superclass's; the order of fields
 * within one class is not guaranteed.
 */
abstract class LongCellPadLeft {
  @SuppressWarnings("unused")
  private long p01, p02, p03, p04, p05, p06, p07, p08;
}
