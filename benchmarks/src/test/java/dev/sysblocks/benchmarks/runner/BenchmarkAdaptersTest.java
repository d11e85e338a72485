package dev.sysblocks.benchmarks.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Every benchmark, under every combination of its {@code @Param} values, sets up and runs once on
 * the plain JUnit class path: a broken adapter or an unknown impl name fails {@code mvn verify},
 * not only the smoke run. Also checks the naming convention: an {@code impl} parameter whose values
 * include ours ({@code sysblocks...}) and at least one peer, and a {@link ReferenceImpl} that names
 * one of them. Benchmark methods may take {@code @State} objects (a per-thread cursor, say): each
 * is created with its no-argument constructor and its {@code @Setup} methods are run.
 */
class BenchmarkAdaptersTest {

  @Test
  void everyBenchmarkRunsOnceForEveryParameterCombination() throws Exception {
    Set<BenchmarkListEntry> entries =
        BenchmarkList.defaultList()
            .getAll(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                List.of());
    assertThat(entries).isNotEmpty();
    int runs = 0;
    for (BenchmarkListEntry entry : entries) {
      Map<String, String[]> params = entry.getParams().orElse(Map.of());
      String[] impls = params.get("impl");
      assertThat(impls).as("impl param of %s", entry.getUsername()).isNotNull();
      assertThat(impls)
          .as("ours in %s", entry.getUsername())
          .anyMatch(i -> i.startsWith("sysblocks"));
      assertThat(impls)
          .as("a peer in %s", entry.getUsername())
          .anyMatch(i -> !i.startsWith("sysblocks"));

      Class<?> type = Class.forName(entry.getUserClassQName());
      ReferenceImpl reference = type.getAnnotation(ReferenceImpl.class);
      if (reference != null) {
        assertThat(impls)
            .as("reference impl of %s", type.getSimpleName())
            .contains(reference.value());
      }
      String methodName = entry.getUsername().substring(entry.getUsername().lastIndexOf('.') + 1);
      Method benchmark = benchmarkMethod(type, methodName);
      for (Map<String, String> combination : combinations(params)) {
        Object state = type.getConstructor().newInstance();
        for (Map.Entry<String, String> p : combination.entrySet()) {
          Field field = type.getField(p.getKey());
          field.set(state, convert(p.getValue(), field.getType()));
        }
        setUp(state);
        Object[] arguments = new Object[benchmark.getParameterCount()];
        for (int i = 0; i < arguments.length; i++) {
          Class<?> argumentType = benchmark.getParameterTypes()[i];
          assertThat(argumentType.isAnnotationPresent(State.class))
              .as("parameter %s of %s is a @State", argumentType, entry.getUsername())
              .isTrue();
          arguments[i] = argumentType.getConstructor().newInstance();
          setUp(arguments[i]);
        }
        benchmark.invoke(state, arguments);
        benchmark.invoke(state, arguments);
        runs++;
      }
    }
    assertThat(runs).isGreaterThan(entries.size());
  }

  /** The public method named {@code name}: JMH forbids overloading benchmark methods. */
  private static Method benchmarkMethod(Class<?> type, String name) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no public method " + name + " in " + type);
  }

  private static void setUp(Object state) throws ReflectiveOperationException {
    for (Method m : state.getClass().getMethods()) {
      if (m.isAnnotationPresent(Setup.class)) {
        m.invoke(state);
      }
    }
  }

  private static Object convert(String value, Class<?> type) {
    if (type == int.class) {
      return Integer.parseInt(value);
    }
    if (type == long.class) {
      return Long.parseLong(value);
    }
    if (type == String.class) {
      return value;
    }
    throw new IllegalArgumentException("unsupported @Param type " + type);
  }

  private static List<Map<String, String>> combinations(Map<String, String[]> params) {
    List<Map<String, String>> result = new ArrayList<>();
    result.add(Map.of());
    for (Map.Entry<String, String[]> p : params.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : result) {
        for (String value : p.getValue()) {
          Map<String, String> extended = new java.util.HashMap<>(partial);
          extended.put(p.getKey(), value);
          next.add(extended);
        }
      }
      result = next;
    }
    return result;
  }
}
