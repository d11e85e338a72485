package dev.sysblocks.benchmarks.repo;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root from wherever Maven runs this module's tests. */
final class RepositoryLayout {

  private RepositoryLayout() {}

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("bom/pom.xml"))
          && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "repository root not found above " + Path.of("").toAbsolutePath());
  }
}
