package org.elasticdepth.exporter.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Every emitted graph on real TFLite against the plain-Java reference forward pass. */
public class VitGraphsTest {
  private static DesktopExecutor executor;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @BeforeClass
  public static void createExecutor() {
    executor = DesktopExecutor.create();
  }

  @AfterClass
  public static void closeExecutor() {
    executor.close();
  }

  @Test
  public void fp32GraphsMatchTheReferenceStepByStep() {
    for (Model model : List.of(TinyModels.tiny(), TinyModels.rgb())) {
      double worst = stepByStepError(model, Precision.FP32);
      assertTrue(model + ": max error " + worst, worst < 2e-5);
    }
  }

  @Test
  public void fp16GraphsStayCloseToTheReference() {
    double worst = stepByStepError(TinyModels.tiny(), Precision.FP16);
    // Half-precision weights: about 3 significant digits, so errors of 1e-3..1e-2 on O(1..10) values.
    assertTrue("max error " + worst, worst < 5e-2);
    assertTrue("fp16 should differ measurably from fp32, got " + worst, worst > 1e-5);
  }

  @Test
  public void everyBlockIsOneXnnpackPartitionInBothPrecisions() {
    for (Precision precision : List.of(Precision.FP32, Precision.FP16)) { // int8: quantize.Int8GraphsTest
      VitGraphs graphs = graphs(TinyModels.tiny(), precision);
      for (int l = 1; l <= 3; l++) {
        try (DesktopGraph block = load(graphs.block(l))) {
          assertTrue(precision + " block " + l + " plan " + block.executionPlan(), block.isSingleXnnpackPartition());
        }
      }
    }
  }

  @Test
  public void chainedGraphsEqualTheMonolithicGraph() {
    Model model = TinyModels.tiny();
    VitGraphs graphs = graphs(model, Precision.FP32);
    List<DesktopGraph> loaded = new ArrayList<>();
    try (DesktopGraph full = load(graphs.full())) {
      DesktopGraph stem = track(loaded, load(graphs.stem()));
      DesktopGraph head = track(loaded, load(graphs.head()));
      List<DesktopGraph> blocks = new ArrayList<>();
      for (int l = 1; l <= model.depth(); l++) {
        blocks.add(track(loaded, load(graphs.block(l))));
      }
      float[] images = RandomWeights.images(4, 28 * 28, 3);
      for (int i = 0; i < 4; i++) {
        ByteBuffer image = direct(images, i * 784, 784);
        ByteBuffer tokens = stem.run(image)[0];
        ByteBuffer feature = null;
        for (DesktopGraph block : blocks) {
          ByteBuffer[] out = block.run(tokens);
          tokens = out[0];
          feature = out[1];
        }
        float[] chained = floats(head.run(feature)[0]);
        float[] monolithic = floats(full.run(image)[0]);
        assertTrue(maxDiff(chained, monolithic) <= 1e-4);
      }
    } finally {
      loaded.forEach(DesktopGraph::close);
    }
  }

  @Test
  public void tfliteVerifierAcceptsEveryEmittedFile() throws Exception {
    for (Precision precision : List.of(Precision.FP32, Precision.FP16)) { // int8: quantize.Int8GraphsTest
      VitGraphs graphs = graphs(TinyModels.tiny(), precision);
      List<BuiltGraph> all = new ArrayList<>(List.of(graphs.stem(), graphs.head(), graphs.full()));
      for (int l = 1; l <= 3; l++) {
        all.add(graphs.block(l));
      }
      for (BuiltGraph g : all) {
        Path file = tmp.getRoot().toPath().resolve(precision + "-" + g.file());
        Files.write(file, g.bytes());
        try (FlatBufferModel verified = FlatBufferModel.VerifyAndBuildFromFile(file.toString())) {
          assertNotNull(g.file(), verified);
          assertTrue(g.file() + " rejected by the TFLite verifier", !verified.isNull() && verified.initialized());
        }
      }
    }
  }

  @Test
  public void manifestEntriesCountParametersAndFlops() {
    Model m = TinyModels.tiny();
    VitGraphs graphs = graphs(m, Precision.FP32);
    int d = m.dim();
    long blockParams = 4L * d * d + 4 * d + 2L * d * m.mlpDim() + m.mlpDim() + d + 4 * d;
    assertEquals(blockParams, graphs.block(1).params());
    assertEquals((long) d * 7 * 7 + d + d + m.tokens() * d, graphs.stem().params());
    assertEquals(2L * d + 10L * d + 10, graphs.head().params());
    int n = m.tokens();
    long blockFlops = 2L * n * d * d * 4 + 2L * n * n * d * 2 + 2L * n * d * m.mlpDim() * 2;
    assertEquals(blockFlops, graphs.block(1).flops());
    assertEquals(graphs.stem().params() + 3 * blockParams + graphs.head().params(), graphs.full().params());
  }

  @Test
  public void fp16RoughlyHalvesTheWeights() {
    // The default model's block width: weights dominate the file, unlike in the tiny test models.
    Model model = BundleExporter.model(28, 1, 4, 64, 1, 4, 128, 10, 1e-5);
    long fp32 = graphs(model, Precision.FP32).block(1).bytes().length;
    long fp16 = graphs(model, Precision.FP16).block(1).bytes().length;
    assertTrue(fp32 + " -> " + fp16, fp16 < 0.6 * fp32);
  }

  // ---------------------------------------------------------------- helpers

  /** Runs stem, each block and the head on TFLite and returns the worst deviation from the reference. */
  private double stepByStepError(Model model, Precision precision) {
    VitWeights weights = RandomWeights.create(model, 7);
    ReferenceVit reference = new ReferenceVit(model, weights);
    VitGraphs graphs = new VitGraphs(model, weights, precision);
    int floats = model.imageSize() * model.imageSize() * model.channels();
    float[] images = RandomWeights.images(2, floats, 11);
    double worst = 0;
    List<DesktopGraph> loaded = new ArrayList<>();
    try {
      DesktopGraph stem = track(loaded, load(graphs.stem()));
      DesktopGraph head = track(loaded, load(graphs.head()));
      for (int i = 0; i < 2; i++) {
        float[][] expected = reference.stem(images, i * floats);
        ByteBuffer tokens = stem.run(direct(images, i * floats, floats))[0];
        worst = Math.max(worst, maxDiff(floats(tokens), flatten(expected)));
        for (int l = 1; l <= model.depth(); l++) {
          // Feed the reference's own input to each block so errors do not compound across layers.
          try (DesktopGraph block = load(graphs.block(l))) {
            float[][] in = expected;
            expected = reference.block(l, in);
            ByteBuffer[] out = block.run(direct(flatten(in), 0, in.length * model.dim()));
            worst = Math.max(worst, maxDiff(floats(out[0]), flatten(expected)));
            worst = Math.max(worst, maxDiff(floats(out[1]), expected[0]));
          }
          float[] logits = floats(head.run(direct(expected[0], 0, model.dim()))[0]);
          worst = Math.max(worst, maxDiff(logits, reference.head(expected[0])));
        }
      }
    } finally {
      loaded.forEach(DesktopGraph::close);
    }
    return worst;
  }

  private static VitGraphs graphs(Model model, Precision precision) {
    return new VitGraphs(model, RandomWeights.create(model, 7), precision);
  }

  private static DesktopGraph load(BuiltGraph g) {
    return executor.load(g.manifestEntry(), ByteBuffer.wrap(g.bytes()));
  }

  private static DesktopGraph track(List<DesktopGraph> loaded, DesktopGraph g) {
    loaded.add(g);
    return g;
  }

  static ByteBuffer direct(float[] values, int offset, int count) {
    ByteBuffer b = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
    b.asFloatBuffer().put(values, offset, count);
    return b;
  }

  static float[] floats(ByteBuffer b) {
    float[] v = new float[b.remaining() / 4];
    b.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(v);
    return v;
  }

  private static float[] flatten(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
    }
    return out;
  }

  static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
