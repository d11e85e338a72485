package dev.sysblocks.hashing;

import dev.sysblocks.core.KeyHasher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The byte format of a placement snapshot: what {@code toBytes()} writes and the builders' {@code
 * restore} reads, so that every process of a cluster can hold the identical mapping.
 *
 * <pre>
 *   int    magic        0x53424C50 ("SBLP": sysblocks placement)
 *   short  version      1
 *   byte   kind         which algorithm (see {@link Kind}); a snapshot restores only into its own
 *   long   hasher       fingerprint of the key hasher: two hashes of fixed probes
 *   ...    parameters   the algorithm's settings (virtual nodes, table size, ...)
 *   int    n            number of nodes, then n times:
 *   UTF    id           the node's id (modified UTF-8, as DataOutput.writeUTF)
 *   double weight
 *   ...    state        algorithm state beyond the members; only MementoHash (code 5) has any:
 *                         int b, then b ints: per bucket, -1 if working, else the working
 *                                         buckets left right after its removal;
 *                         int r, then r ints: the removed buckets, oldest first;
 *                         n ints: the bucket of each member, in the order listed above
 *   int    crc          CRC-32 of every byte before it
 * </pre>
 *
 * <p>Big-endian throughout. The hasher is recorded as a fingerprint rather than by name or seed: a
 * custom hasher works, a seed is not written down, and restoring with a different hasher fails
 * loudly instead of placing keys differently. The version is checked before anything else is
 * interpreted; readers reject versions newer than they know.
 */
final class PlacementFormat {

  static final int MAGIC = 0x53424C50;
  static final int VERSION = 1;

  /** The algorithm a snapshot belongs to; the codes are part of the format and never reused. */
  enum Kind {
    HASH_RING(1, "HashRing"),
    KETAMA_RING(2, "KetamaRing"),
    RENDEZVOUS_HASH(3, "RendezvousHash"),
    MAGLEV_HASH(4, "MaglevHash"),
    MEMENTO_HASH(5, "MementoHash");

    final int code;
    final String className;

    Kind(int code, String className) {
      this.code = code;
      this.className = className;
    }

    static Kind ofCode(int code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      throw new IllegalArgumentException("snapshot holds an unknown algorithm code: " + code);
    }
  }

  private PlacementFormat() {}

  /** Two hashes of fixed probes: equal hashers agree, different ones almost surely do not. */
  static long fingerprint(KeyHasher hasher) {
    return hasher.hash("sysblocks placement fingerprint") * 31
        + hasher.hash(0x9E37_79B9_7F4A_7C15L);
  }

  /** Starts a snapshot: writes the header. */
  static Writer writer(Kind kind, KeyHasher hasher) {
    Writer writer = new Writer();
    writer.writeInt(MAGIC);
    writer.writeShort(VERSION);
    writer.writeByte(kind.code);
    writer.writeLong(fingerprint(hasher));
    return writer;
  }

  /**
   * Opens a snapshot: checks magic, checksum, version, kind and hasher, in that order, and leaves
   * the reader at the algorithm's parameters.
   *
   * @throws NullPointerException if {@code snapshot} is null
   * @throws IllegalArgumentException naming what does not match
   */
  static Reader reader(byte[] snapshot, Kind expected, KeyHasher hasher) {
    Objects.requireNonNull(snapshot, "snapshot");
    if (snapshot.length < 4 + 2 + 1 + 8 + 4 + 4) {
      throw new IllegalArgumentException(
          "not a sysblocks placement snapshot: " + snapshot.length + " bytes");
    }
    Reader in = new Reader(snapshot);
    if (in.readInt() != MAGIC) {
      throw new IllegalArgumentException("not a sysblocks placement snapshot: wrong magic number");
    }
    CRC32 crc = new CRC32();
    crc.update(snapshot, 0, snapshot.length - 4);
    int stored =
        new Reader(Arrays.copyOfRange(snapshot, snapshot.length - 4, snapshot.length)).readInt();
    if ((int) crc.getValue() != stored) {
      throw new IllegalArgumentException("snapshot is corrupt: checksum mismatch");
    }
    int version = in.readShort();
    if (version != VERSION) {
      throw new IllegalArgumentException(
          "snapshot format version "
              + version
              + " is not readable by this library, which reads version "
              + VERSION);
    }
    Kind kind = Kind.ofCode(in.readByte());
    if (kind != expected) {
      throw new IllegalArgumentException(
          "snapshot holds a " + kind.className + ", not a " + expected.className);
    }
    if (in.readLong() != fingerprint(hasher)) {
      throw new IllegalArgumentException(
          "keyHasher " + hasher + " is not the hasher the snapshot was taken with");
    }
    return in;
  }

  /** Appends big-endian values; {@link #finish()} appends the checksum. */
  static final class Writer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    void writeInt(int value) {
      try {
        out.writeInt(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
      }
    }

    void writeShort(int value) {
      try {
        out.writeShort(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void writeByte(int value) {
      try {
        out.writeByte(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void writeLong(long value) {
      try {
        out.writeLong(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void writeDouble(double value) {
      try {
        out.writeDouble(value);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void writeUtf(String value) {
      try {
        out.writeUTF(value);
      } catch (IOException e) {
        // writeUTF refuses strings over 65,535 encoded bytes: no node id should be that long.
        throw new IllegalStateException("node id too long for a snapshot: " + value.length(), e);
      }
    }

    byte[] finish() {
      CRC32 crc = new CRC32();
      byte[] body = bytes.toByteArray();
      crc.update(body);
      writeInt((int) crc.getValue());
      return bytes.toByteArray();
    }
  }

  /** Reads big-endian values; a truncated snapshot gives an IllegalArgumentException. */
  static final class Reader {
    private final DataInputStream in;

    Reader(byte[] bytes) {
      this.in = new DataInputStream(new ByteArrayInputStream(bytes));
    }

    int readInt() {
      try {
        return in.readInt();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    int readShort() {
      try {
        return in.readShort();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    int readByte() {
      try {
        return in.readByte();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    long readLong() {
      try {
        return in.readLong();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    double readDouble() {
      try {
        return in.readDouble();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    String readUtf() {
      try {
        return in.readUTF();
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    /** A count that must fit in what is left: guards against allocating from a corrupt length. */
    int readCount(int bytesPerItem) {
      int count = readInt();
      try {
        if (count < 0 || (long) count * bytesPerItem > in.available()) {
          throw new IllegalArgumentException("snapshot is corrupt: count " + count);
        }
      } catch (IOException e) {
        throw truncated(e);
      }
      return count;
    }

    /** Checks that only the checksum is left. */
    void expectEnd() {
      try {
        if (in.available() != 4) {
          throw new IllegalArgumentException(
              "snapshot is corrupt: " + (in.available() - 4) + " unexpected bytes at the end");
        }
      } catch (IOException e) {
        throw truncated(e);
      }
    }

    private static IllegalArgumentException truncated(IOException e) {
      return new IllegalArgumentException("snapshot is corrupt: truncated", e);
    }
  }
}
