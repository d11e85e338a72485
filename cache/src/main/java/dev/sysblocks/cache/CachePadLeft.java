package dev.sysblocks.cache;

/**
 * 64 bytes of fields that keep whatever the JVM allocated just before a padded object off the cache
 * line of the field that follows (S8). Padding through the class hierarchy is reliable because a
 * subclass's fields are laid out after all of its superclass's; the order of fields within one
 * class is not guaranteed.
 */
abstract class CachePadLeft {
  @SuppressWarnings("unused")
  private long p01, p02, p03, p04, p05, p06, p07, p08;
}
