package org.elasticdepth.exporter.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.bench.FashionMnistFixture;
import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.FashionMnist;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.Checkpoint;
import org.elasticdepth.exporter.train.CheckpointStore;
import org.elasticdepth.exporter.train.RunConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.TensorArchive;
import org.elasticdepth.exporter.train.TrainingMode;
import org.elasticdepth.exporter.train.TrainingOptions;
import org.elasticdepth.exporter.train.TrainingState;
import org.elasticdepth.runtime.bundle.Bundle;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code export} and {@code verify} end to end on a (randomly initialised) run directory. */
public class ExportVerifyCommandTest {
  private static final VitConfig CONFIG = new VitConfig(28, 1, 7, 16, 2, 2, 32, 10, 0f, 1e-5f);

  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalOut;
  private PrintStream originalErr;

  @Before
  public void captureOutput() {
    originalOut = System.out;
    originalErr = System.err;
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @After
  public void restoreOutput() {
    System.setOut(originalOut);
    System.setErr(originalErr);
  }

  @Test
  public void exportThenVerifyAgainstTheCheckpoint() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.ALIGNED);
    Path bundle = tmp.getRoot().toPath().resolve("bundle");
    assertEquals(err(), 0, execute("export", run.toString(), "--out", bundle.toString(), "--zip"));
    assertTrue(Files.isRegularFile(bundle.resolve("block_02.tflite")));
    assertTrue(Files.isRegularFile(tmp.getRoot().toPath().resolve("bundle.zip")));

    assertEquals(2, execute("export", run.toString(), "--out", bundle.toString()));
    assertTrue(err(), err().contains("already exists"));
    assertEquals(err(), 0, execute("export", run.toString(), "--out", bundle.toString(), "--force", "--fp16"));
    try (Bundle b = Bundle.fromDirectory(bundle.toFile())) {
      assertEquals("fp16", b.manifest().provenance().precision());
    }
    assertEquals(err(), 0, execute("export", run.toString(), "--out", bundle.toString(), "--force", "--no-full"));

    stdout.reset();
    assertEquals(out() + err(), 0, execute("verify", bundle.toString(), "--checkpoint", run.toString(), "--images", "16"));
    assertTrue(out(), out().contains("PASS") && out().contains("layer"));
    assertEquals(out() + err(), 0, execute("verify", bundle.toString()));
  }

  @Test
  public void badPrecisionArgumentsAreOneErrorLineAndWriteNothing() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.ALIGNED);
    Path bundle = tmp.getRoot().toPath().resolve("bundle");
    String[][] bad = {
        {"--precision", "int4"},
        {"--precision", "fp32,int8,fp32"},
        {"--precision", "int8", "--calibration-images", "0"},
        {"--fp16", "--precision", "int8"},
        {"--precision", "fp32,int8", "--calibration-images", "1000"}, // the run has 32 training images
    };
    String[] expected = {"unknown precision \"int4\"", "lists fp32 twice", "--calibration-images must be >= 1",
        "--fp16 means --precision fp16", "--calibration-images must be in 1..32"};
    for (int i = 0; i < bad.length; i++) {
      List<String> args = new java.util.ArrayList<>(List.of("export", run.toString(), "--out", bundle.toString()));
      args.addAll(List.of(bad[i]));
      assertEquals(err(), 2, execute(args.toArray(new String[0])));
      assertEquals(err(), 1, err().lines().count());
      assertTrue(err(), err().startsWith("error: ") && err().contains(expected[i]));
      assertFalse(Files.exists(bundle));
    }
  }

  @Test
  public void severalPrecisionsMakeOneBundleWithVariants() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.ALIGNED);
    Path bundle = tmp.getRoot().toPath().resolve("bundle");
    assertEquals(err(), 0, execute("calibrate", run.toString()));
    assertEquals(err(), 0, execute("export", run.toString(), "--out", bundle.toString(), "--precision", "fp16,fp32"));
    assertTrue(Files.isRegularFile(bundle.resolve("block_02.fp32.tflite")));
    try (Bundle b = Bundle.fromDirectory(bundle.toFile())) {
      b.verifyAll();
      var fp16 = org.elasticdepth.runtime.bundle.Precision.FP16;
      var fp32 = org.elasticdepth.runtime.bundle.Precision.FP32;
      assertEquals(List.of(fp16, fp32), b.manifest().precisions());
      // fp16 calibrated on its own TFLite outputs of the 8 validation images, fp32 keeps the run's
      assertEquals(8, b.manifest().variant(fp16).orElseThrow().calibration().frontier().get(0).lossBound().samples());
      assertEquals(2, b.manifest().variant(fp32).orElseThrow().calibration().layerAccuracy().size());
    }
  }

  @Test
  public void precisionStudyWritesEveryPrecisionsTable() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.ALIGNED);
    Path out = tmp.getRoot().toPath().resolve("study");
    assertEquals(1, execute("precision-study", run.toString())); // the CLI's user-error status
    assertTrue(err(), err().contains("calibrate first"));
    assertEquals(err(), 0, execute("calibrate", run.toString()));
    assertEquals(err(), 0, execute("precision-study", run.toString(), "--calibration-images", "8", "--out", out.toString()));
    String md = Files.readString(out.resolve("precisions.md"));
    assertTrue(md, md.contains("| fp32 |") && md.contains("| fp16 |") && md.contains("| int8 |"));
    com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(
        Files.readString(out.resolve("precisions.json"))).getAsJsonObject();
    assertEquals(8, json.get("calibrationImages").getAsInt());
    assertEquals(3, json.getAsJsonArray("precisions").size());
    assertTrue(json.toString(), json.getAsJsonArray("int8Trials").size() >= 1);
  }

  @Test
  public void aCheckpointThatContradictsItsConfigIsAClearError() throws Exception {
    VitConfig wider = new VitConfig(28, 1, 7, 24, 2, 2, 32, 10, 0f, 1e-5f);
    Path run = writeRun(wider, CONFIG, TrainingMode.ALIGNED); // config says dim 24, weights have dim 16
    assertEquals(2, execute("export", run.toString(), "--out", tmp.getRoot().toPath().resolve("b").toString()));
    assertTrue(err(), err().contains("does not match") && err().contains("stem.patch.weight"));
    assertFalse(Files.exists(tmp.getRoot().toPath().resolve("b")));
  }

  @Test
  public void aPerLayerHeadRunIsRefused() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.MULTIHEAD);
    assertEquals(2, execute("export", run.toString(), "--out", tmp.getRoot().toPath().resolve("b").toString()));
    assertTrue(err(), err().contains("one shared head"));
  }

  @Test
  public void verifyNamesATamperedFile() throws Exception {
    Path run = writeRun(CONFIG, CONFIG, TrainingMode.ALIGNED);
    Path bundle = tmp.getRoot().toPath().resolve("bundle");
    assertEquals(err(), 0, execute("export", run.toString(), "--out", bundle.toString()));
    byte[] head = Files.readAllBytes(bundle.resolve("head.tflite"));
    head[head.length / 2] ^= 0x10;
    Files.write(bundle.resolve("head.tflite"), head);
    assertEquals(2, execute("verify", bundle.toString()));
    assertTrue(err(), err().contains("head.tflite") && err().contains("SHA-256"));
  }

  private Path writeRun(VitConfig declared, VitConfig actual, TrainingMode mode) throws Exception {
    Path dir = Files.createTempDirectory(tmp.getRoot().toPath(), "run");
    TrainingOptions training = new TrainingOptions(mode, 1, 32, 1e-3f, 0.05f, TrainingOptions.COSINE, 0f, false, 1f,
        42, 1);
    // A few random IDX images stand in for Fashion-MNIST: tests never need the Debian package.
    Path images = FashionMnistFixture.write(dir.resolve("data"), 40, 3);
    DataSpec data = new DataSpec(DataSpec.FASHION_MNIST, images.toString(), 8, 0.1, 42, "none");
    RunDirectory.writeConfig(dir, new RunConfig(RunConfig.FORMAT_VERSION, declared, training, data,
        new Normalization(new float[] {0.286f}, new float[] {0.353f}), FashionMnist.LABELS));
    try (ElasticVit vit = ElasticVit.initialize(actual, mode.headLayout(), 3)) {
      Map<String, TensorArchive.Tensor> weights = new LinkedHashMap<>();
      vit.namedWeights().forEach((name, values) -> weights.put(name,
          new TensorArchive.Tensor(vit.weightShapes().get(name), values)));
      new CheckpointStore(dir).save(new Checkpoint(weights, Map.of(), new TrainingState(1, 10, List.of())));
    }
    return dir;
  }

  private int execute(String... args) {
    stderr.reset();
    return ExporterCli.commandLine().execute(args);
  }

  private String out() {
    return stdout.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }
}
