package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.elasticdepth.exporter.bench.FashionMnistFixture;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The exporter as a user starts it, in a fresh JVM (SLF4J binds once per process, so only a new
 * process shows what a user sees): the console holds the product's output and nothing of SLF4J or
 * DJL unless {@code --verbose} asks for it.
 */
public class ConsoleOutputTest {
  private static final String TINY = "--dim 16 --depth 2 --heads 2 --mlp-dim 32 --batch-size 8 --validation-size 8";

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void pipelineConsoleShowsOnlyTheProductsOutputAndVerboseShowsDjl() throws Exception {
    Path data = FashionMnistFixture.write(tmp.newFolder("data").toPath(), 40, 7);
    Path out = tmp.getRoot().toPath().resolve("job");

    Run pipeline = exporter("pipeline", "--out", out.toString(), "--data", data.toString(), "--epochs", "1",
        "--train-args", TINY, "--verify-images", "8", "--bench-runs", "0", "--precision", "fp32");
    assertEquals(pipeline.output, 0, pipeline.exitCode);
    assertTrue(pipeline.output, pipeline.output.contains("== export: exporter export"));
    assertFalse("SLF4J on the console:\n" + pipeline.output, pipeline.output.contains("SLF4J"));
    assertFalse("DJL's log on the console:\n" + pipeline.output, pipeline.output.contains("ai.djl"));

    Run verbose = exporter("--verbose", "evaluate", out.resolve("aligned").toString());
    assertEquals(verbose.output, 0, verbose.exitCode);
    assertTrue("--verbose shows DJL's messages:\n" + verbose.output, verbose.output.contains("INFO ai.djl"));
    assertFalse(verbose.output, verbose.output.contains("SLF4J"));
  }

  private record Run(int exitCode, String output) {}

  /** Runs {@code java ... ExporterCli args} on the test class path; stdout and stderr together. */
  private Run exporter(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        new File(System.getProperty("java.home"), "bin/java").getPath(),
        "-cp", System.getProperty("java.class.path"),
        "-Dai.djl.pytorch.num_threads=1",
        ExporterCli.class.getName()));
    command.addAll(List.of(args));
    Path log = tmp.newFile().toPath();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("exporter " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
