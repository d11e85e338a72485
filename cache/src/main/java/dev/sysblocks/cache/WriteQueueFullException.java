package dev.sysblocks.cache;

/**
 * Thrown by a {@link WriteBehindCache} write that found the queue full and waited for room longer
 * than {@link WriteBehindBuilder#blockWhenFull} allows (or was interrupted while waiting). The
 * write was <em>not</em> acknowledged: neither the cache nor the queue changed, and the caller
 * still owns it (retry later, shed the request, or write the store directly).
 *
 * <p>An {@link IllegalStateException}, as {@link java.util.Queue#add} throws for a full queue.
 */
public final class WriteQueueFullException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  WriteQueueFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
