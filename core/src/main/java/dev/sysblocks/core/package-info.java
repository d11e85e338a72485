/**
 * What every sysblocks block shares: time and key hashing.
 *
 * <h2>Time</h2>
 *
 * <p>Blocks read time only through a {@link dev.sysblocks.core.Ticker} (monotonic nanoseconds, a
 * primitive {@code long}) and wait only through a {@link dev.sysblocks.core.Sleeper}. Builders
 * default to {@link dev.sysblocks.core.Ticker#system()} and {@link
 * dev.sysblocks.core.Sleeper#system()}; tests pass one {@link dev.sysblocks.core.FakeTicker} for
 * both and move time by hand. Algorithm cores are written as pure functions of a {@code now}
 * argument, read once per operation.
 *
 * <h2>Key hashing</h2>
 *
 * <p>{@link dev.sysblocks.core.KeyHasher} turns keys into 64-bit hashes. Choose:
 *
 * <table>
 *   <caption>Which hasher</caption>
 *   <tr><th>need</th><th>use</th></tr>
 *   <tr><td>placements shared across processes and releases</td>
 *       <td>{@link dev.sysblocks.core.KeyHasher#xxh3()}</td></tr>
 *   <tr><td>shared placements, keys chosen by untrusted clients</td>
 *       <td>{@link dev.sysblocks.core.KeyHasher#xxh3(long)} with a secret seed</td></tr>
 *   <tr><td>in-process tables exposed to untrusted keys</td>
 *       <td>{@link dev.sysblocks.core.KeyHasher#randomlySeeded()}</td></tr>
 * </table>
 *
 * <h2>Conventions</h2>
 *
 * <p>Null arguments throw {@link java.lang.NullPointerException} naming the parameter; bad values
 * throw {@link java.lang.IllegalArgumentException} naming the parameter and the value; durations
 * are {@link java.time.Duration}.
 */
package dev.sysblocks.core;
