package org.elasticdepth.exporter.docs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * The results committed under docs/ are shared: they must read the same on every machine, so none may hold an
 * absolute path of the machine that made them (a scratch folder, a home or a drive).
 */
public class CommittedResultsTest {
  static final Path DOCS = Path.of("../docs");
  /** Absolute paths of a machine: /tmp, /home, /root, /work, /Users, /var/folders, or a Windows drive. */
  static final Pattern ABSOLUTE_PATH = Pattern.compile(
      "(?<![A-Za-z0-9_.~-])(/(tmp|home|root|work|Users|var/folders)/|[A-Za-z]:\\\\)");
  /** Embedded plots: base64 may spell anything, and is no path. */
  private static final Pattern DATA_URI = Pattern.compile("data:[a-z]+/[a-z+.-]+;base64,[A-Za-z0-9+/=]+");

  @Test
  public void noCommittedResultNamesAnAbsolutePath() throws IOException {
    assertTrue(DOCS.toAbsolutePath() + " is missing", Files.isDirectory(DOCS));
    List<String> found = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(DOCS)) {
      for (Path file : files.filter(Files::isRegularFile).filter(CommittedResultsTest::isResult).toList()) {
        checked++;
        String text = DATA_URI.matcher(Files.readString(file, StandardCharsets.UTF_8)).replaceAll("data:");
        Matcher m = ABSOLUTE_PATH.matcher(text);
        while (m.find()) {
          int from = Math.max(0, m.start() - 30);
          found.add(DOCS.relativize(file) + ": ..." + text.substring(from, Math.min(text.length(), m.end() + 30))
              .replace('\n', ' ') + "...");
        }
      }
    }
    assertTrue("no JSON, HTML or Markdown under docs/", checked > 0);
    assertTrue("absolute paths in committed results:\n" + String.join("\n", found), found.isEmpty());
  }

  @Test
  public void thePatternFindsWhatItMustAndOnlyThat() {
    for (String leak : List.of("\"run\": \"/tmp/p3/aligned\"", "at /home/me/data", "(/root/runs)", "/work/runs/default",
        "C:\\Users\\me\\runs", "/Users/me/x", "/var/folders/xy/T/run")) {
      assertTrue(leak, ABSOLUTE_PATH.matcher(leak).find());
    }
    for (String fine : List.of("../aligned", "docs/results/index.html", "https://example.org/home/page", "1/tmp",
        "assets/bundle", "runs/default/aligned", "fashion-mnist (Debian's dataset-fashion-mnist)")) {
      assertFalse(fine, ABSOLUTE_PATH.matcher(fine).find());
    }
  }

  /** The committed comparison is the current analysis: every model states its minimal depths. */
  @Test
  public void committedAnalysisStatesEachModelsMinimalDepth() throws IOException {
    JsonObject all = JsonParser.parseString(Files.readString(DOCS.resolve("results/analysis.json"))).getAsJsonObject();
    assertFalse(all.isEmpty());
    for (Map.Entry<String, JsonElement> model : all.entrySet()) {
      JsonObject numbers = model.getValue().getAsJsonObject();
      assertTrue(model.getKey() + " has no minimalDepth", numbers.has("minimalDepth"));
      assertEquals(model.getKey(), 2, numbers.getAsJsonArray("minimalDepth").size());
    }
  }

  private static boolean isResult(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") || name.endsWith(".html") || name.endsWith(".md");
  }
}
