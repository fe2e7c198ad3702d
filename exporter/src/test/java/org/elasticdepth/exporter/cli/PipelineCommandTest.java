package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.elasticdepth.exporter.calibrate.Calibration;
import org.elasticdepth.exporter.calibrate.MinimalDepths;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.exporter.bench.FashionMnistFixture;
import org.elasticdepth.runtime.bundle.Bundle;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The main job end to end on a few random IDX images and a tiny model (seconds, no dataset needed). */
public class PipelineCommandTest {
  private static final String TINY = "--dim 16 --depth 2 --heads 2 --mlp-dim 32 --batch-size 8 --validation-size 8";

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void trainsCalibratesAnalysesExportsVerifiesAndBenchmarksThenResumes() throws Exception {
    Path data = FashionMnistFixture.write(tmp.newFolder("data").toPath(), 40, 7);
    Path out = tmp.getRoot().toPath().resolve("job");
    String[] args = {"pipeline", "--out", out.toString(), "--data", data.toString(), "--epochs", "1",
        "--train-args", TINY, "--verify-images", "8", "--bench-runs", "2", "--precision", "fp32,fp16"};

    assertEquals(0, ExporterCli.commandLine().execute(args));
    assertTrue(Files.isRegularFile(out.resolve("aligned/calibration.json")));
    assertTrue(Files.isRegularFile(out.resolve("aligned/report/index.html")));
    assertTrue(Files.isRegularFile(out.resolve("bench.json")));
    Calibration calibration = Calibration.fromJson(Files.readString(out.resolve("aligned/calibration.json")));
    try (Bundle bundle = Bundle.fromDirectory(new File(out.toFile(), "bundle"))) {
      bundle.verifyAll();
      assertEquals(2, bundle.manifest().depth());
      // int8 of a one-epoch model verified on 8 images cannot pass verify's agreement bar: fp32 and fp16 here
      // (export's own tests cover int8; the main job's default bundle carries all three)
      assertEquals(List.of(Precision.FP32, Precision.FP16), bundle.manifest().precisions());
      assertEquals("aligned", bundle.manifest().provenance().mode());
      // export writes the task's minimal depths, chosen on the calibration's validation accuracies
      assertEquals(MinimalDepths.of(calibration.layerAccuracy()), bundle.manifest().calibration().minimalDepth());
      assertEquals(List.of(0.005, 0.01), bundle.manifest().calibration().minimalDepth().stream()
          .map(BundleManifest.MinimalDepth::accuracyDrop).toList());
    }
    JsonObject analysis = JsonParser.parseString(Files.readString(out.resolve("aligned/analysis.json"))).getAsJsonObject();
    assertEquals(".", analysis.get("run").getAsString());
    assertEquals(42, analysis.get("seed").getAsLong());
    assertTrue(analysis.toString(), analysis.get("model").getAsString().startsWith("ViT 28x28x1, patch 7 (17 tokens), dim 16"));
    assertEquals("fashion-mnist 'data', validation 8, split seed 42", analysis.get("data").getAsString());
    JsonArray minimal = analysis.getAsJsonArray("minimalDepth");
    assertEquals(2, minimal.size());
    for (int i = 0; i < 2; i++) {
      JsonObject d = minimal.get(i).getAsJsonObject();
      int depth = d.get("depth").getAsInt();
      assertEquals(MinimalDepths.of(calibration.layerAccuracy()).get(i).depth(), depth);
      assertEquals(calibration.layerAccuracy()[depth - 1], d.get("validationAccuracy").getAsDouble(), 0);
      assertEquals(analysis.getAsJsonArray("layerAccuracy").get(depth - 1).getAsDouble(),
          d.get("testAccuracy").getAsDouble(), 0);
    }
    String report = Files.readString(out.resolve("aligned/report/index.html"));
    assertTrue(report, report.contains("<dt>model</dt><dd>ViT 28x28x1"));
    assertTrue(report, report.contains("<dt>data</dt><dd>fashion-mnist &#39;data&#39;")
        || report.contains("<dt>data</dt><dd>fashion-mnist 'data'"));
    assertTrue(report, report.contains("<nav class=\"toc\">") && report.contains("\">Minimal depth</a>"));
    // the run's report carries the exported bundle's per-layer accuracy in each of its precisions
    assertTrue(report, report.contains(">Layer-wise accuracy per precision (bundle)</h2>") && report.contains("<td>fp16</td>"));

    // a comparison beside the runs names them relative to itself; with the exported bundle it adds the
    // per-layer accuracy of every precision the bundle carries
    assertEquals(0, ExporterCli.commandLine().execute("analyze", out.resolve("aligned").toString(), "--out",
        out.resolve("comparison").toString(), "--limit", "8", "--bundle", out.resolve("bundle").toString()));
    String withBundle = Files.readString(out.resolve("comparison/index.html"));
    assertTrue(withBundle, withBundle.contains(">Layer-wise accuracy per precision (bundle)</h2>")
        && withBundle.contains("<td>fp32</td><td>validation</td>"));
    // a bundle of another model, or one bundle for several runs, is refused with one line
    Path other = tmp.getRoot().toPath().resolve("other-bundle");
    org.elasticdepth.exporter.export.TinyBundleFixture.create(org.elasticdepth.runtime.bundle.Precision.FP32)
        .write(other, null, false);
    CliRunner cli = new CliRunner();
    assertEquals(1, cli.run("analyze", out.resolve("aligned").toString(), "--bundle", other.toString(), "--limit", "8"));
    assertTrue(cli.err(), cli.err().contains("not the run's"));
    assertEquals(1, cli.run("analyze", out.resolve("aligned").toString(), out.resolve("aligned").toString(),
        "--bundle", other.toString()));
    assertTrue(cli.err(), cli.err().contains("--bundle goes with one RUN_DIR"));
    JsonObject comparison = JsonParser.parseString(Files.readString(out.resolve("comparison/analysis.json")))
        .getAsJsonObject();
    assertEquals("../aligned", comparison.getAsJsonObject("aligned").get("run").getAsString());

    // nothing the exporter wrote for sharing names a folder of this machine (config.json, the run's own working
    // file, keeps the data folder it reads from)
    List<String> leaks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.equals("config.json") || !(name.endsWith(".json") || name.endsWith(".html") || name.endsWith(".md"))) {
          continue;
        }
        String text = Files.readString(f);
        for (String path : List.of(tmp.getRoot().getAbsolutePath(), tmp.getRoot().getCanonicalPath())) {
          if (text.contains(path)) {
            leaks.add(out.relativize(f) + " holds " + path);
          }
        }
      }
    }
    assertTrue(String.join("\n", leaks), leaks.isEmpty());

    // Running the same command again continues the finished run instead of refusing or retraining.
    assertEquals(0, ExporterCli.commandLine().execute(args));
  }

  @Test
  public void aRunDirectoryWithoutCheckpointIsRefusedWithAMessage() throws Exception {
    Path out = tmp.newFolder("job").toPath();
    Files.createDirectories(out.resolve("aligned"));
    assertEquals(1, ExporterCli.commandLine().execute("pipeline", "--out", out.toString()));
  }
}
