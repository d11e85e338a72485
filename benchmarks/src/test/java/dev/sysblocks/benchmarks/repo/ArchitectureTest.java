package dev.sysblocks.benchmarks.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules of DESIGN.md and STYLE.md that a reviewer would otherwise have to remember, checked
 * over the main sources of every library module (those with a module-info.java).
 */
class ArchitectureTest {

  /** Only the system implementations below may touch the real clock or really sleep (STYLE S6). */
  private static final Pattern REAL_TIME =
      Pattern.compile(
          "\\bnanoTime\\(|\\bcurrentTimeMillis\\(|\\bsleep\\(|\\bparkNanos\\(|\\bparkUntil\\("
              + "|\\bInstant\\.now\\(|\\bClock\\.system|\\bLocalDateTime\\.now\\(");

  /**
   * Core's system ticker and sleeper; and the scheduler's default wall clock, which cron jobs need
   * (a calendar time, which a monotonic ticker cannot give) and which its builder lets tests
   * replace.
   */
  private static final Set<Path> ALLOWED_REAL_TIME =
      Set.of(
          Path.of("core/src/main/java/dev/sysblocks/core/SystemTime.java"),
          Path.of("scheduler/src/main/java/dev/sysblocks/scheduler/WallClock.java"));

  /** The folder suffix of an engine integration of a block: cache-jdbc is the cache's. */
  private static final String INTEGRATION_SUFFIX = "-(redis|jdbc)$";

  @Test
  void onlyTheSystemTimeSourcesReadTheRealClockOrSleep() throws IOException {
    Path root = RepositoryLayout.root();
    List<String> offenders = new ArrayList<>();
    for (Path module : libraryModules(root)) {
      for (Path source : javaSources(module.resolve("src/main/java"))) {
        Path relative = root.relativize(source);
        String code = stripComments(Files.readString(source, StandardCharsets.UTF_8));
        if (!ALLOWED_REAL_TIME.contains(relative) && REAL_TIME.matcher(code).find()) {
          offenders.add(relative.toString());
        }
      }
    }
    assertThat(offenders).as("files reading real time besides %s", ALLOWED_REAL_TIME).isEmpty();
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
    Path root = RepositoryLayout.root();
    List<Path> libraries = libraryModules(root);
    Pattern dependency = Pattern.compile("<artifactId>(sysblocks-[\\w-]+)</artifactId>");
    for (Path module : libraries) {
      String folder = module.getFileName().toString();
      // An engine integration (<block>-redis, <block>-jdbc) may depend on its own block, which
      // must be a library module of this repository; a block may depend on core only.
      String block = folder.replaceFirst(INTEGRATION_SUFFIX, "");
      if (!block.equals(folder)) {
        assertThat(libraries).as("the block of %s", folder).contains(root.resolve(block));
      }
      String pom = Files.readString(module.resolve("pom.xml"), StandardCharsets.UTF_8);
      int dependencies = pom.indexOf("<dependencies>");
      if (dependencies < 0) {
        continue;
      }
      Matcher m = dependency.matcher(pom.substring(dependencies));
      while (m.find()) {
        String artifact = m.group(1);
        assertThat(artifact)
            .as("%s depends on %s", folder, artifact)
            .isIn("sysblocks-core", "sysblocks-" + block);
      }
    }
  }

  /**
   * A JDBC integration ships no driver and nothing else: at compile scope it has its block (and
   * core), SLF4J's API at most, and the JDK's java.sql; drivers and test databases are test-scoped.
   */
  @Test
  void jdbcIntegrationsDependOnTheirBlockAndJavaSqlOnly() throws IOException {
    Pattern dependencyElement = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    Pattern requires = Pattern.compile("requires\\s+(?:transitive\\s+|static\\s+)*([\\w.]+)\\s*;");
    int checked = 0;
    for (Path module : libraryModules(RepositoryLayout.root())) {
      String folder = module.getFileName().toString();
      if (!folder.endsWith("-jdbc")) {
        continue;
      }
      checked++;
      String block = folder.replaceFirst(INTEGRATION_SUFFIX, "");
      String pom =
          stripXmlComments(Files.readString(module.resolve("pom.xml"), StandardCharsets.UTF_8));
      int dependencies = pom.indexOf("<dependencies>");
      Matcher d = dependencyElement.matcher(dependencies < 0 ? "" : pom.substring(dependencies));
      while (d.find()) {
        String element = d.group(1);
        String coordinates = element(element, "groupId") + ":" + element(element, "artifactId");
        boolean ours = coordinates.startsWith("dev.sysblocks:");
        boolean logging = coordinates.equals("org.slf4j:slf4j-api");
        if (!ours && !logging) {
          assertThat(element(element, "scope"))
              .as("%s: scope of %s (a -jdbc module ships no driver)", folder, coordinates)
              .isEqualTo("test");
        }
      }
      String descriptor =
          stripComments(
              Files.readString(
                  module.resolve("src/main/java/module-info.java"), StandardCharsets.UTF_8));
      Matcher r = requires.matcher(descriptor);
      while (r.find()) {
        assertThat(r.group(1))
            .as("%s requires", folder)
            .isIn("java.sql", "dev.sysblocks.core", "dev.sysblocks." + block, "org.slf4j");
      }
    }
    assertThat(checked).as("-jdbc modules found").isPositive();
  }

  /** The text of the first {@code <name>} element in {@code xml}, or "" if there is none. */
  private static String element(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">\\s*([^<]*?)\\s*</" + name + ">").matcher(xml);
    return m.find() ? m.group(1) : "";
  }

  private static String stripXmlComments(String xml) {
    return xml.replaceAll("(?s)<!--.*?-->", "");
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
