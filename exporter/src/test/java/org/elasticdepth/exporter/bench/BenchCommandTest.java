package org.elasticdepth.exporter.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.elasticdepth.exporter.benchreport.BenchReport;
import org.elasticdepth.exporter.benchreport.BenchReportTest;
import org.elasticdepth.exporter.cli.ExporterCli;
import org.elasticdepth.exporter.export.BundleExporter;
import org.elasticdepth.exporter.export.ExportedBundle;
import org.elasticdepth.exporter.testing.MultiPrecisionBundles;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.desktop.SchemaAssert;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code exporter bench} end to end on desktop TFLite: a tiny bundle (depth 2, dim 16, random
 * weights, with full.tflite) exported by the real exporter, a few runs, 20 Fashion-MNIST-shaped
 * images from {@link FashionMnistFixture} (no dataset package needed); then {@code bench-report}
 * over its output and the hand-written phone results.
 */
public class BenchCommandTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  static Path tinyBundle() throws Exception {
    Calibration calibration = new Calibration("validation", List.of(0.1, 0.1), List.of(new FrontierPoint(0.5, 0.1, 2, 1)), 0.01, 0.3);
    Path dir = tmp.getRoot().toPath().resolve("tiny");
    tinyExport(Precision.FP32, calibration).write(dir, null, true);
    return dir;
  }

  /** The tiny bundle's model (same random weights every time) exported in {@code precision}. */
  static ExportedBundle tinyExport(Precision precision, Calibration calibration) {
    Model model = BundleExporter.model(28, 1, 7, 16, 2, 2, 32, 10, 1e-6);
    Map<String, float[]> values = new HashMap<>();
    Map<String, long[]> shapes = new HashMap<>();
    Random random = new Random(7);
    for (Map.Entry<String, int[]> e : VitWeights.expectedShapes(model).entrySet()) {
      long[] shape = new long[e.getValue().length];
      int n = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = e.getValue()[i];
        n *= e.getValue()[i];
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) (random.nextGaussian() * 0.1);
      }
      values.put(e.getKey(), v);
      shapes.put(e.getKey(), shape);
    }
    List<String> labels = new ArrayList<>();
    for (int c = 0; c < 10; c++) {
      labels.add("class " + c);
    }
    Input input = new Input("NHWC", 28, 28, 1, 1f / 255, new float[] {0.286f}, new float[] {0.353f}, "center-crop");
    return BundleExporter.export(model, VitWeights.of(values, shapes), precision, true,
        new BundleExporter.Description(input, labels, calibration, "aligned", 0, 7, "random weights"));
  }

  /** The tiny model in fp32 (threshold 0.3) and fp16 (its own calibration, threshold 0.35) in one bundle. */
  static Path tinyTwoPrecisionBundle() {
    Path dir = tmp.getRoot().toPath().resolve("tiny-fp32-fp16");
    if (!Files.isDirectory(dir)) {
      ExportedBundle fp32 = tinyExport(Precision.FP32, new Calibration("validation", List.of(0.1, 0.1),
          List.of(new FrontierPoint(0.5, 0.1, 2, 1)), 0.01, 0.3));
      ExportedBundle fp16 = tinyExport(Precision.FP16, new Calibration("validation", List.of(0.1, 0.1),
          List.of(new FrontierPoint(0.5, 0.1, 2, 1)), 0.01, 0.35));
      MultiPrecisionBundles.compose(fp32, fp16).write(dir, null, true);
    }
    return dir;
  }

  @Test
  public void benchMeasuresEveryPrecisionAndComparesThemWithFp32() throws Exception {
    Path bundle = tinyTwoPrecisionBundle();
    Path json = tmp.getRoot().toPath().resolve("two-precisions.json");
    Path data = FashionMnistFixture.write(tmp.getRoot().toPath().resolve("fashion-mnist-2"), 20, 11);
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = ExporterCli.commandLine().execute("bench", bundle.toString(), "--out", json.toString(), "--runs", "2",
          "--warmup", "0", "--samples", "20", "--data", data.toString(), "--latency-targets", "1000");
    } finally {
      System.setOut(stdout);
    }
    assertEquals(0, code);
    SchemaAssert.assertValid(json);
    BenchmarkResult r = BenchmarkJson.read(json.toFile());
    assertEquals(List.of("fp32", "fp16"), r.bundle().precisions());
    assertEquals(List.of("fp32", "fp16"), r.executors().stream().map(ExecutorResult::precision).toList());
    ExecutorResult fp16 = r.executor("CPU 1 thread", "fp16");
    assertEquals(Status.OK, fp16.status());
    fp16.okDepth(2).targets().forEach(t -> assertTrue(t.graph(), t.graph().endsWith(".fp16.tflite")));
    assertEquals(0.35, fp16.earlyExit().threshold(), 0); // fp16's own calibration
    assertEquals(0.3, r.executor("CPU 1 thread", "fp32").earlyExit().threshold(), 0);
    // fp16 weights are unpacked to float32 at load: the same network, the same answers on 20 images
    assertEquals(r.executor("CPU 1 thread", "fp32").earlyExit().fullDepthAccuracy(), fp16.earlyExit().fullDepthAccuracy(), 0);
    assertEquals("fp32", r.precisionChoice("CPU 1 thread").precision());
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table, table.contains("### Precisions side by side"));
    assertTrue(table, table.contains("| CPU 1 thread | fp32 | 2 |"));
    assertTrue(table, table.contains("| CPU 1 thread | fp16 | 2 |"));
    assertTrue(table, table.contains("- the runtime's own choice on CPU 1 thread: fp32 for CPU - the bundle has no int8 graphs"));
    assertTrue(table, table.contains("### CPU 1 thread fp16"));
  }

  @Test
  public void benchWritesASchemaValidResultAndTheTableThenBenchReportReportsIt() throws Exception {
    Path bundle = tinyBundle();
    Path json = tmp.getRoot().toPath().resolve("desktop.json");
    Path data = FashionMnistFixture.write(tmp.getRoot().toPath().resolve("fashion-mnist"), 20, 11);
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = ExporterCli.commandLine().execute("bench", bundle.toString(), "--out", json.toString(), "--threads", "1,2",
          "--runs", "3", "--warmup", "1", "--samples", "20", "--data", data.toString(), "--sustained-seconds", "0.3");
    } finally {
      System.setOut(stdout);
    }
    assertEquals(0, code);
    SchemaAssert.assertValid(json);
    BenchmarkResult r = BenchmarkJson.read(json.toFile());
    assertEquals("desktop", r.device().platform());
    assertEquals(List.of("CPU 1 thread", "CPU 2 threads"), r.executors().stream().map(ExecutorResult::name).toList());
    for (ExecutorResult x : r.executors()) {
      assertEquals(Status.OK, x.status());
      assertEquals(2, x.depths().size());
      x.depths().forEach(d -> assertEquals(d.error(), Status.OK, d.status()));
      assertEquals("CPU", x.okDepth(2).targets().get(0).accelerator());
      assertTrue(x.okDepth(2).residentBytes() > x.okDepth(1).residentBytes());
      assertNotNull(x.okDepth(1).processResidentBytes());
      assertEquals(Status.OK, x.full().status());
      assertEquals(Status.OK, x.earlyExit().status());
      assertEquals(20, (int) x.earlyExit().samples());
      assertEquals(20, x.earlyExit().exitHistogram().stream().mapToInt(Integer::intValue).sum());
      assertEquals(Status.OK, x.sustained().status());
    }
    // chained and monolithic graphs compute the same network: same answers on the samples
    ExecutorResult one = r.executors().get(0);
    assertEquals(one.earlyExit().fullDepthAccuracy(), one.earlyExit().layerAccuracy().get(1), 1e-12);
    String table = out.toString(StandardCharsets.UTF_8);
    assertTrue(table, table.contains("### CPU 2 threads"));
    assertTrue(table, table.contains("chained vs full.tflite at full depth"));
    assertTrue(table, table.contains("early exit at threshold 0.3000 on 20 samples"));
    assertTrue(table, table.contains("resident bytes: grow with depth"));

    Path report = tmp.getRoot().toPath().resolve("report");
    BenchReport.Written written = BenchReport.write(List.of(json, BenchReportTest.resource("example-phone-a.json"),
        BenchReportTest.resource("example-phone-b.json"), BenchReportTest.resource("malformed.json")), report);
    assertEquals(3, written.loaded().results().size());
    assertEquals(1, written.loaded().skipped().size());
    String md = Files.readString(report.resolve(BenchReport.MARKDOWN));
    assertTrue(md, md.contains("| CPU 1 thread |"));
    assertTrue(Files.exists(report.resolve("latency-vs-depth.png")));
  }

  @Test
  public void badArgumentsGiveOneClearLine() {
    PrintStream stderr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = ExporterCli.commandLine().execute("bench", tmp.getRoot().toString(), "--out", "x.json", "--threads", "0");
    } finally {
      System.setErr(stderr);
    }
    assertEquals(1, code);
    assertTrue(err.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).contains("--threads values must be >= 1"));
  }
}
