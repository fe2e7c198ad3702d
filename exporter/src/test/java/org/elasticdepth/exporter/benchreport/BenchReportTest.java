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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.exporter.cli.ExporterCli;
import org.elasticdepth.exporter.benchreport.LoadedResults.Skipped;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BundleInfo;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.LatencyStats;
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
    assertTrue(written.loaded().skipped().get(1).detail().contains("schemaVersion is 3"));

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

  /**
   * Phone A's result as if its bundle had carried fp32, fp16 and int8: the fp32 entries as measured,
   * fp16 and int8 copies with latency and resident bytes scaled, the runtime's choices per executor.
   */
  static BenchmarkResult threePrecisions() throws Exception {
    BenchmarkResult a = BenchmarkJson.read(resource("example-phone-a.json").toFile());
    List<ExecutorResult> entries = new ArrayList<>();
    List<AutomaticPrecision> choices = new ArrayList<>();
    for (ExecutorResult x : a.executors()) {
      entries.add(x.withPrecision("fp32"));
      entries.add(scaled(x, "fp16", 0.9, 1.0));
      entries.add(scaled(x, "int8", 0.5, 0.25));
      choices.add(x.name().equals("GPU") ? new AutomaticPrecision(x.name(), "fp16", "GPU", 0.0, "the GPU computes in fp16")
          : new AutomaticPrecision(x.name(), "int8", "CPU", 0.003, "int8 loses 0.30 points at worst (accepted: 0.50)"));
    }
    BundleInfo b = a.bundle();
    BundleInfo bundle = new BundleInfo(b.bundleId(), b.location(), b.architecture(), b.depth(), b.dim(), b.tokens(),
        b.numClasses(), "fp32", b.blockBytes(), b.stemBytes(), b.headBytes(), b.fullBytes(), b.calibratedThreshold(),
        b.manifestSha256(), b.inputShape(), b.heads(), b.mlpDim(), List.of("fp32", "fp16", "int8"));
    return new BenchmarkResult(BenchmarkResult.SCHEMA_VERSION, a.generator(), a.createdAt(), a.device(), bundle,
        a.settings(), entries, choices);
  }

  private static ExecutorResult scaled(ExecutorResult x, String precision, double latency, double resident) {
    List<DepthResult> depths = new ArrayList<>();
    for (DepthResult d : x.depths()) {
      LatencyStats l = d.latency();
      depths.add(d.status() != Status.OK ? d : new DepthResult(d.depth(), d.status(), d.error(), d.initMs(),
          d.firstInferenceMs(), d.warmupMeanMs(), new LatencyStats(l.count(), latency * l.meanMs(), latency * l.stdMs(),
              latency * l.minMs(), latency * l.maxMs(), latency * l.p50Ms(), latency * l.p90Ms(), latency * l.p99Ms()),
          Math.round(resident * d.residentBytes()), Math.round(resident * d.graphBytes()), d.processResidentBytes(),
          d.targets()));
    }
    return new ExecutorResult(x.name(), x.status(), x.error(), x.setupMs(), depths, x.full(), x.earlyExit(),
        x.sustained(), x.exitPolicies(), precision);
  }

  @Test
  public void comparesPrecisionsSideBySidePerDevice() throws Exception {
    Path file = tmp.getRoot().toPath().resolve("phone-a-three-precisions.json");
    BenchmarkJson.write(threePrecisions(), file.toFile());
    SchemaAssert.assertValid(file);
    Path out = tmp.getRoot().toPath().resolve("report");
    BenchReport.write(List.of(file, resource("example-phone-b.json")), out);
    String md = Files.readString(out.resolve(BenchReport.MARKDOWN));
    assertTrue(md, md.contains("## Precisions side by side"));
    assertTrue(md, md.contains("| Example Phone A (hand-written) | CPU 4 threads | int8 |"));
    assertTrue(md, md.contains("| 0.50x |") && md.contains("| 0.25x |")); // latency and resident bytes vs fp32
    assertTrue(md, md.contains("| 0.90x |"));
    assertTrue(md, md.contains("| chosen |"));
    assertTrue(md, md.contains("| Example Phone A (hand-written) | GPU | fp16 | GPU | 0.00 | the GPU computes in fp16 |"));
    assertTrue(md, md.contains("| Example Phone A (hand-written) | GPU int8 |")); // latency table rows tell precisions apart
    assertTrue(md, md.contains("| Example Phone B (hand-written) | GPU |"));      // a version-1 result beside it
    assertTrue(md, md.contains("L=6, fp32, fp16, int8"));
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
