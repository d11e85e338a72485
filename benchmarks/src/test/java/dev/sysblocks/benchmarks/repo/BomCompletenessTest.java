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
import org.junit.jupiter.api.Test;

/**
 * The BOM does not inherit the parent, so nothing keeps it in step automatically: this test does.
 * Every published module (one with a module-info.java) must be listed, at the parent's version.
 */
class BomCompletenessTest {

  private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");

  @Test
  void bomListsEveryLibraryModuleAtTheProjectVersion() throws IOException {
    Path root = RepositoryLayout.root();
    String parent = pom(root.resolve("pom.xml"));
    String bom = pom(root.resolve("bom/pom.xml"));
    String version = firstVersion(parent);
    assertThat(firstVersion(bom)).as("bom version").isEqualTo(version);

    List<String> libraries = new ArrayList<>();
    Matcher m = MODULE.matcher(parent);
    while (m.find()) {
      String module = m.group(1);
      if (Files.exists(root.resolve(module).resolve("src/main/java/module-info.java"))) {
        libraries.add(module);
      }
    }
    assertThat(libraries).contains("core");
    for (String module : libraries) {
      assertThat(bom)
          .as("bom entry for %s", module)
          .containsPattern(
              "<artifactId>sysblocks-"
                  + Pattern.quote(module)
                  + "</artifactId>\\s*<version>"
                  + Pattern.quote(version)
                  + "</version>");
    }
  }

  @Test
  void bomHasNoParent() throws IOException {
    String bom = pom(RepositoryLayout.root().resolve("bom/pom.xml"));
    assertThat(bom).doesNotContain("<parent>");
  }

  /** A pom's text without its comments, so prose about elements is not mistaken for them. */
  private static String pom(Path file) throws IOException {
    return COMMENT.matcher(Files.readString(file, StandardCharsets.UTF_8)).replaceAll("");
  }

  /** The project's own version: the first version element after its artifactId. */
  private static String firstVersion(String pom) {
    Matcher m =
        Pattern.compile(
                "<artifactId>sysblocks-(?:parent|bom)</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertThat(m.find()).as("project version in pom").isTrue();
    return m.group(1);
  }
}
