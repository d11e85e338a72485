package dev.sysblocks.benchmarks.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules of DESIGN.md and STYLE.md that a reviewer would otherwise have to remember, checked
 * over the main sources of every library module (those with a module-info.java).
 */
class ArchitectureTest {

  /** Only core's system implementations may touch the real clock or really sleep (STYLE S6). */
  private static final Pattern REAL_TIME =
      Pattern.compile(
          "\\bnanoTime\\(|\\bcurrentTimeMillis\\(|\\bsleep\\(|\\bparkNanos\\(|\\bparkUntil\\("
              + "|\\bInstant\\.now\\(|\\bClock\\.system|\\bLocalDateTime\\.now\\(");

  private static final Path ALLOWED_REAL_TIME =
      Path.of("core/src/main/java/dev/sysblocks/core/SystemTime.java");

  @Test
  void onlyCoresSystemTimeReadsTheRealClockOrSleeps() throws IOException {
    Path root = RepositoryLayout.root();
    List<String> offenders = new ArrayList<>();
    for (Path module : libraryModules(root)) {
      for (Path source : javaSources(module.resolve("src/main/java"))) {
        Path relative = root.relativize(source);
        String code = stripComments(Files.readString(source, StandardCharsets.UTF_8));
        if (!relative.equals(ALLOWED_REAL_TIME) && REAL_TIME.matcher(code).find()) {
          offenders.add(relative.toString());
        }
      }
    }
    assertThat(offenders).as("files reading real time outside %s", ALLOWED_REAL_TIME).isEmpty();
  }

  @Test
  void noModuleExportsItsInternalPackages() throws IOException {
    Pattern exportsInternal = Pattern.compile("exports\\s+[\\w.]*\\.internal\\b");
    for (Path module : libraryModules(RepositoryLayout.root())) {
      String descriptor =
          stripComments(
              Files.readString(
                  module.resolve("src/main/java/module-info.java"), StandardCharsets.UTF_8));
      assertThat(exportsInternal.matcher(descriptor).find())
          .as("%s exports an internal package", module.getFileName())
          .isFalse();
    }
  }

  @Test
  void moduleNamesFollowTheirFolders() throws IOException {
    for (Path module : libraryModules(RepositoryLayout.root())) {
      String folder = module.getFileName().toString();
      String descriptor =
          Files.readString(
              module.resolve("src/main/java/module-info.java"), StandardCharsets.UTF_8);
      String expected = "dev.sysblocks." + folder.replace("-", ".");
      assertThat(descriptor).as("module name of %s", folder).contains("module " + expected + " {");
      String pom = Files.readString(module.resolve("pom.xml"), StandardCharsets.UTF_8);
      assertThat(pom).contains("<artifactId>sysblocks-" + folder + "</artifactId>");
    }
  }

  @Test
  void libraryModulesDependOnCoreAtMostAndNeverOnASiblingBlock() throws IOException {
    Pattern dependency = Pattern.compile("<artifactId>(sysblocks-[\\w-]+)</artifactId>");
    for (Path module : libraryModules(RepositoryLayout.root())) {
      String folder = module.getFileName().toString();
      String pom = Files.readString(module.resolve("pom.xml"), StandardCharsets.UTF_8);
      int dependencies = pom.indexOf("<dependencies>");
      if (dependencies < 0) {
        continue;
      }
      Matcher m = dependency.matcher(pom.substring(dependencies));
      while (m.find()) {
        String artifact = m.group(1);
        // An engine integration (<block>-redis, <block>-jdbc) may depend on its own block.
        String ownBlock = "sysblocks-" + folder.replaceFirst("-(redis|jdbc)$", "");
        assertThat(artifact)
            .as("%s depends on %s", folder, artifact)
            .isIn("sysblocks-core", ownBlock);
      }
    }
  }

  static List<Path> libraryModules(Path root) throws IOException {
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("src/main/java/module-info.java")))
          .sorted()
          .toList();
    }
  }

  private static List<Path> javaSources(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** Removes block and line comments, so design essays may name what the code must not call. */
  private static String stripComments(String code) {
    return code.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
  }
}
