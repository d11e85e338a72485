package dev.sysblocks.benchmarks.hashing;

import dev.sysblocks.hashing.HashRing;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ishugaliy.allgood.consistent.hash.hasher.DefaultHasher;
import org.ishugaliy.allgood.consistent.hash.node.SimpleNode;

/** Inputs shared by the hashing benchmarks, built the same way for ours and the peers. */
final class HashingFixtures {

  private HashingFixtures() {}

  /** Our ring over the Integers 0..n-1 (ids "0".."n-1"), default virtual nodes. */
  static HashRing<Integer> sysblocksRing(int nodes) {
    HashRing<Integer> ring = HashRing.<Integer>builder(String::valueOf).build();
    List<Integer> members = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      members.add(i);
    }
    ring.addAll(members);
    return ring;
  }

  /**
   * The allgood ring over nodes named {@code prefix + i}, murmur3, with as many partitions per node
   * as our default virtual nodes, so both rings balance alike.
   */
  static org.ishugaliy.allgood.consistent.hash.HashRing<SimpleNode> allgoodRing(
      int nodes, String prefix) {
    List<SimpleNode> members = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      members.add(SimpleNode.of(prefix + i));
    }
    return org.ishugaliy.allgood.consistent.hash.HashRing.<SimpleNode>newBuilder()
        .name("bench")
        .hasher(DefaultHasher.MURMUR_3)
        .partitionRate(HashRing.DEFAULT_VIRTUAL_NODES)
        .nodes(members)
        .build();
  }

  /** {@code count} random lower-case keys of {@code length} characters. */
  static String[] randomKeys(long seed, int count, int length) {
    SplittableRandom random = new SplittableRandom(seed);
    String[] keys = new String[count];
    for (int i = 0; i < count; i++) {
      char[] chars = new char[length];
      for (int c = 0; c < length; c++) {
        chars[c] = (char) ('a' + random.nextInt(26));
      }
      keys[i] = new String(chars);
    }
    return keys;
  }
}
