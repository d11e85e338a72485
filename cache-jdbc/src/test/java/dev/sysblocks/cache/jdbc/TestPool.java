package dev.sysblocks.cache.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A minimal connection pool for the tests, and a witness of how the store treats connections.
 *
 * <p>It reuses physical connections (a new PostgreSQL connection costs a process fork and a SCRAM
 * handshake, tens of milliseconds) and, when a borrowed connection is closed, checks that it comes
 * back in the auto-commit mode it was handed out in, recording a violation otherwise. Tests can
 * also hand connections out with auto-commit off (as some production pools are configured), make
 * the next call of a JDBC method throw, or make the database report another product name.
 */
final class TestPool implements DataSource {

  private final DataSource physical;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger borrowed = new AtomicInteger();
  private final AtomicInteger returned = new AtomicInteger();
  private final Map<String, Deque<SQLException>> faults = new HashMap<>();
  volatile boolean handOutWithAutoCommitOff;
  volatile String productName; // null: the database's own

  TestPool(DataSource physical) {
    this.physical = physical;
  }

  /**
   * The next call of {@code method} (a Connection or PreparedStatement method) throws {@code e}.
   */
  synchronized void failNext(String method, SQLException e) {
    faults.computeIfAbsent(method, m -> new ArrayDeque<>()).add(e);
  }

  int borrowed() {
    return borrowed.get();
  }

  /** Connections borrowed and not yet closed. */
  int outstanding() {
    return borrowed.get() - returned.get();
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  private synchronized void maybeFail(String method) throws SQLException {
    Deque<SQLException> queue = faults.get(method);
    SQLException e = queue == null ? null : queue.poll();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    maybeFail("getConnection");
    Connection c = idle.pollFirst();
    if (c == null) {
      c = physical.getConnection();
    }
    boolean autoCommit = !handOutWithAutoCommitOff;
    c.setAutoCommit(autoCommit);
    borrowed.incrementAndGet();
    return (Connection)
        Proxy.newProxyInstance(
            TestPool.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new Borrowed(c, autoCommit));
  }

  /** A borrowed connection: returns to the pool on close, checked. */
  private final class Borrowed implements InvocationHandler {
    private final Connection c;
    private final boolean autoCommitWhenBorrowed;
    private boolean closed;

    Borrowed(Connection c, boolean autoCommitWhenBorrowed) {
      this.c = c;
      this.autoCommitWhenBorrowed = autoCommitWhenBorrowed;
    }

    private void giveBack() throws SQLException {
      if (closed) {
        return;
      }
      closed = true;
      if (c.getAutoCommit() != autoCommitWhenBorrowed) {
        violations.add("returned with autoCommit " + c.getAutoCommit());
      }
      if (!c.getAutoCommit()) {
        c.rollback(); // whatever the store left uncommitted must not leak into the next use
      }
      idle.addFirst(c);
      returned.incrementAndGet();
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      switch (name) {
        case "close" -> {
          giveBack();
          return null;
        }
        case "isClosed" -> {
          return closed;
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "borrowed " + c;
        }
        default -> {}
      }
      if (closed) {
        throw new SQLException("connection already closed: " + name);
      }
      maybeFail(name);
      if (name.equals("getMetaData") && productName != null) {
        return withProductName((DatabaseMetaData) call(c, method, args));
      }
      Object result = call(c, method, args);
      if (result instanceof PreparedStatement) {
        return Proxy.newProxyInstance(
            TestPool.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            (p, m, a) -> {
              maybeFail(m.getName());
              return call(result, m, a);
            });
      }
      return result;
    }
  }

  private DatabaseMetaData withProductName(DatabaseMetaData real) {
    String name = productName;
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            TestPool.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            (p, m, a) -> m.getName().equals("getDatabaseProductName") ? name : call(real, m, a));
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  // --- the rest of DataSource --------------------------------------------------------------------

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the test pool has one user");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
