/**
 * sysblocks core: what every block shares and nothing more.
 *
 * <ul>
 *   <li>{@link dev.sysblocks.core.Ticker}, {@link dev.sysblocks.core.Sleeper} and {@link
 *       dev.sysblocks.core.FakeTicker}: the one time source every block reads, and its test double.
 *   <li>{@link dev.sysblocks.core.KeyHasher}: keys to well-mixed 64-bit hashes.
 * </ul>
 *
 * <p>hash4j is used inside core only and is not part of its API, so it is not re-exported.
 */
module dev.sysblocks.core {
  requires com.dynatrace.hash4j;

  exports dev.sysblocks.core;
}
