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
 * README snippets must compile (STYLE S10). Every {@code ```java} block of README.md must appear,
 * line for line (indentation aside), in some test source of the repository; those tests compile and
 * run, so a snippet that drifts from the API fails here instead of misleading a reader.
 */
class ReadmeSnippetsTest {

  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaSnippetInTheReadmeIsCopiedFromACompilingTest() throws IOException {
    Path root = RepositoryLayout.root();
    String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
    List<String> snippets = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(readme);
    while (m.find()) {
      snippets.add(m.group(1));
    }
    assertThat(snippets).as("java snippets in README.md").isNotEmpty();

    StringBuilder tests = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p :
          files
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> f.toString().contains("/src/test/java/"))
              .toList()) {
        tests.append(normalize(Files.readString(p, StandardCharsets.UTF_8))).append('\n');
      }
    }
    String allTests = tests.toString();
    for (String snippet : snippets) {
      assertThat(allTests).as("a test containing the README snippet").contains(normalize(snippet));
    }
  }

  /** Strips indentation and blank lines, so a snippet matches the indented code inside a test. */
  private static String normalize(String code) {
    StringBuilder out = new StringBuilder();
    for (String line : code.split("\n", -1)) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        out.append(trimmed).append('\n');
      }
    }
    return out.toString();
  }
}
