package dev.sysblocks.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The drain status of a {@link DrainScheduler} and its accessors, named for their memory mode (S8).
 * Left-padded: every read of a buffered cache may load it, every drain writes it.
 */
abstract class DrainStatusField extends CachePadLeft {

  private static final VarHandle DRAIN_STATUS;

  static {
    try {
      DRAIN_STATUS =
          MethodHandles.lookup().findVarHandle(DrainStatusField.class, "drainStatus", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // read and written through DRAIN_STATUS
  private volatile int drainStatus;

  /** Opaque: for readers, to whom a stale value only delays a drain to a later call. */
  final int getStatusOpaque() {
    return (int) DRAIN_STATUS.getOpaque(this);
  }

  /** Volatile: the status a CAS is about to be attempted on. */
  final int getStatusVolatile() {
    return (int) DRAIN_STATUS.getVolatile(this);
  }

  final void setStatusVolatile(int status) {
    DRAIN_STATUS.setVolatile(this, status);
  }

  final boolean compareAndSetStatus(int expected, int next) {
    return DRAIN_STATUS.compareAndSet(this, expected, next);
  }

  /** A full fence as well as a write: orders the polls that follow after writers' CASes. */
  final int getAndSetStatus(int next) {
    return (int) DRAIN_STATUS.getAndSet(this, next);
  }
}
