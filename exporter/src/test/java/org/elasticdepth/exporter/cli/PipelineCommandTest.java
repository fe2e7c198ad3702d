package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
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
        "--train-args", TINY, "--verify-images", "8", "--bench-runs", "2"};

    assertEquals(0, ExporterCli.commandLine().execute(args));
    assertTrue(Files.isRegularFile(out.resolve("aligned/calibration.json")));
    assertTrue(Files.isRegularFile(out.resolve("aligned/report/index.html")));
    assertTrue(Files.isRegularFile(out.resolve("bench.json")));
    try (Bundle bundle = Bundle.fromDirectory(new File(out.toFile(), "bundle"))) {
      bundle.verifyAll();
      assertEquals(2, bundle.manifest().depth());
      assertEquals("aligned", bundle.manifest().provenance().mode());
    }

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
