package dev.sysblocks.benchmarks.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Where a result came from: CPU, cores, OS and JDK, as one Markdown-friendly line each. */
final class Machine {

  private Machine() {}

  static String cpu() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.isReadable(cpuinfo)) {
      try {
        List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
        for (String line : lines) {
          if (line.startsWith("model name")) {
            return line.substring(line.indexOf(':') + 1).trim();
          }
        }
      } catch (IOException e) {
        // Fall through to the architecture name: the report is still useful without the model.
      }
    }
    return System.getProperty("os.arch");
  }

  static String describe() {
    Runtime rt = Runtime.getRuntime();
    return String.format(
        Locale.ROOT,
        "- CPU: %s, %d cores available to the JVM%n" + "- OS: %s %s (%s)%n" + "- JDK: %s %s (%s)%n",
        cpu(),
        rt.availableProcessors(),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.vendor"));
  }
}
