/**
 * The cache's {@link dev.sysblocks.cache.DataStore} on a relational database: {@link
 * dev.sysblocks.cache.jdbc.JdbcDataStore}, one table of H2 (embedded: tests, demos) or PostgreSQL,
 * the same code on both.
 *
 * <p><b>Entry point.</b> {@link dev.sysblocks.cache.jdbc.JdbcDataStore#builder}: a {@link
 * javax.sql.DataSource}, a {@link dev.sysblocks.cache.jdbc.JdbcCodec} for the key column and one
 * for the value column, and a table name; the {@link dev.sysblocks.cache.jdbc.JdbcDialect} is
 * detected from the database unless set. Put the store behind {@link
 * dev.sysblocks.cache.StoreBackedCacheBuilder} for read-through and write-through.
 *
 * <pre>{@code
 * JdbcDataStore<String, String> table =
 *     JdbcDataStore.builder(dataSource, JdbcCodec.string(), JdbcCodec.string())
 *         .table("users")
 *         .build();
 * StoreBackedCache<String, String> users =
 *     StoreBackedCacheBuilder.newBuilder(table, CacheBuilder.newBuilder().maximumSize(10_000))
 *         .build();
 * }</pre>
 *
 * <p><b>Conventions.</b> No driver ships with this module; the application supplies the DataSource
 * (a connection pool in production) and the store borrows one connection per call. Table and column
 * names are checked to be plain identifiers and are the only text ever put into SQL; keys and
 * values are bound parameters. Database errors surface as {@link
 * dev.sysblocks.cache.jdbc.JdbcStoreException}, naming the operation, the key count and the table.
 *
 * <table class="striped">
 *   <caption>What each operation costs and guarantees</caption>
 *   <tr><th>Operation</th><th>SQL</th><th>Round trips</th><th>Atomicity</th></tr>
 *   <tr><td>load</td><td>{@code SELECT v ... WHERE k = ?}</td><td>1</td><td>one snapshot</td></tr>
 *   <tr><td>loadAll (n keys)</td><td>{@code SELECT k, v ... WHERE k IN (...)}</td>
 *       <td>ceil(n / chunk size)</td><td>one snapshot per chunk</td></tr>
 *   <tr><td>write</td><td>upsert (per {@link dev.sysblocks.cache.jdbc.JdbcDialect})</td><td>1</td>
 *       <td>the statement</td></tr>
 *   <tr><td>writeAll (n entries)</td><td>n upserts in one batch, one transaction</td>
 *       <td>batch + commit</td><td>all or nothing</td></tr>
 *   <tr><td>delete</td><td>{@code DELETE ... WHERE k = ?}</td><td>1</td><td>the statement</td>
 *       </tr>
 * </table>
 */
package dev.sysblocks.cache.jdbc;
