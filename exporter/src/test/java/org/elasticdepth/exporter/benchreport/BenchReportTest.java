package org.elasticdepth.exporter.benchreport;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.exporter.cli.ExporterCli;
import org.elasticdepth.exporter.benchreport.LoadedResults.Skipped;
import org.elasticdepth.runtime.desktop.SchemaAssert;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BenchReportTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  public static Path resource(String name) throws URISyntaxException {
    return Path.of(BenchReportTest.class.getResource("/bench/" + name).toURI());
  }

  @Test
  public void handWrittenResultsSatisfyTheSchema() throws Exception {
    SchemaAssert.assertValid(resource("example-phone-a.json"));
    SchemaAssert.assertValid(resource("example-phone-b.json"));
  }

  @Test
  public void reportsGoodFilesAndSkipsBadOnesWithTheirReason() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("report");
    List<Path> inputs = List.of(resource("example-phone-a.json"), resource("malformed.json"), resource("example-phone-b.json"),
        resource("future-version.json"), tmp.getRoot().toPath().resolve("absent.json"));
    BenchReport.Written written = BenchReport.write(inputs, out);

    assertEquals(2, written.loaded().results().size());
    List<String> reasons = written.loaded().skipped().stream().map(Skipped::reason).toList();
    assertEquals(List.of("MALFORMED_JSON", "UNSUPPORTED_VERSION", "IO"), reasons);
    assertTrue(written.loaded().skipped().get(1).detail().contains("schemaVersion is 2"));

    String md = Files.readString(out.resolve(BenchReport.MARKDOWN));
    assertTrue(md, md.contains("| Example Phone A (hand-written) | GPU | 0.560 | 0.770 |"));     // latency vs depth, per executor
    assertTrue(md, md.contains("| Example Phone A (hand-written) | NNAPI |"));
    assertTrue(md, md.contains("failed: IllegalArgumentException: Internal error"));
    assertTrue(md, md.contains("| Example Phone B (hand-written) | GPU |") && md.contains("| failed |"));
    assertTrue(md, md.contains("head.tflite GPU->CPU"));                       // a fallback is disclosed
    assertTrue(md, md.contains("+4.5 %"));                                     // chained vs full
    assertTrue(md, md.contains("| 0.7890 | 0.7950 |"));                        // early exit vs full depth
    assertTrue(md, md.contains("## Sustained runs") && md.contains("severe"));
    assertTrue(md, md.contains("malformed.json: MALFORMED_JSON"));
    assertTrue(md, md.contains("future-version.json: UNSUPPORTED_VERSION"));

    String html = Files.readString(out.resolve(BenchReport.HTML));
    for (String png : List.of("latency-vs-depth.png", "init-vs-depth.png", "early-exit-frontier.png", "sustained.png")) {
      assertTrue(png, html.contains("<img src=\"" + png + "\""));
      byte[] head = Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 4);
      assertArrayEquals(png, new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
    }
    assertTrue(html.contains("<b>MALFORMED_JSON</b>"));
    // skipped files are named relative to the report (the absent one lies beside it), never by absolute path
    assertTrue(md, md.contains("- ../absent.json: IO"));
    for (String text : List.of(md, html)) {
      assertTrue(text, !text.contains(tmp.getRoot().getAbsolutePath()) && !text.contains(resource("malformed.json")
          .getParent().toString()));
    }
    try (var listing = Files.list(out)) {
      assertTrue("no temporary files left", listing.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  public void commandLineExitsWithOneWhenNothingCouldBeRead() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = ExporterCli.commandLine().execute("bench-report", resource("malformed.json").toString(), "--out",
          tmp.getRoot().toPath().resolve("r").toString());
    } finally {
      System.setErr(err);
    }
    assertEquals(1, code);
    assertTrue(captured.toString(StandardCharsets.UTF_8).contains("MALFORMED_JSON"));
    assertTrue(Files.exists(tmp.getRoot().toPath().resolve("r").resolve(BenchReport.MARKDOWN)));
  }
}
