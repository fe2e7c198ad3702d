package org.elasticdepth.runtime.engine;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.elasticdepth.runtime.Budget;
import org.elasticdepth.runtime.Classification;
import org.elasticdepth.runtime.Classification.LayerPrediction;
import org.elasticdepth.runtime.DepthPlan;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.ElasticClassifier.Options;
import org.elasticdepth.runtime.ExitPolicy;
import org.elasticdepth.runtime.GraphCosts;
import org.elasticdepth.runtime.InputTranslator;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.LoadedGraph;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The engine on real TFLite graphs (the {@code tiny} fixture, XNNPACK on desktop): per-layer
 * predictions against the graphs run by hand and against full.tflite, early exit, lazy loading,
 * and concurrency.
 */
public class EngineOnTfliteTest {
  private static final int IMAGES = 16;
  private static Bundle bundle;
  private static DesktopExecutor tflite;
  private static List<float[]> images;
  /** Per image: the head's softmax after each layer, computed by running the graphs directly. */
  private static List<float[][]> reference;

  @BeforeClass
  public static void setUp() {
    bundle = Bundle.fromBuffers(TestBundles.buffers(TestBundles.TINY));
    tflite = DesktopExecutor.create();
    InputTranslator translator = InputTranslator.of(bundle.manifest().input());
    Random random = new Random(42);
    images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      int w = 28 + random.nextInt(20);
      int h = 28 + random.nextInt(20);
      int[] argb = new int[w * h];
      for (int p = 0; p < argb.length; p++) {
        int v = random.nextInt(256);
        argb[p] = 0xff000000 | v << 16 | v << 8 | v;
      }
      images.add(translator.translate(argb, w, h));
    }
    reference = new ArrayList<>();
    for (float[] image : images) {
      reference.add(runByHand(image));
    }
  }

  @AfterClass
  public static void tearDown() {
    tflite.close();
    bundle.close();
  }

  private static float[][] runByHand(float[] image) {
    BundleManifest m = bundle.manifest();
    List<LoadedGraph> graphs = new ArrayList<>();
    try {
      LoadedGraph stem = load(m.graphs().stem(), graphs);
      LoadedGraph head = load(m.graphs().head(), graphs);
      ByteBuffer in = ByteBuffer.allocateDirect(image.length * 4).order(ByteOrder.nativeOrder());
      in.asFloatBuffer().put(image);
      ByteBuffer tokens = copy(stem.run(in)[0]);
      float[][] probabilities = new float[m.depth()][];
      for (int l = 1; l <= m.depth(); l++) {
        ByteBuffer[] out = load(m.block(l), graphs).run(tokens);
        tokens = copy(out[0]);
        probabilities[l - 1] = softmax(head.run(copy(out[1]))[0]);
      }
      return probabilities;
    } finally {
      graphs.forEach(LoadedGraph::close);
    }
  }

  private static LoadedGraph load(BundleManifest.Graph spec, List<LoadedGraph> opened) {
    LoadedGraph g = tflite.load(spec, bundle.graph(spec));
    opened.add(g);
    return g;
  }

  private static ByteBuffer copy(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.nativeOrder());
    c.put(b.duplicate()).flip();
    return c;
  }

  private static float[] softmax(ByteBuffer logitsBuffer) {
    FloatBuffer logits = logitsBuffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
    float[] out = new float[logits.remaining()];
    logits.get(out);
    double max = Double.NEGATIVE_INFINITY;
    for (float v : out) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : out) {
      sum += Math.exp(v - max);
    }
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (Math.exp(out[i] - max) / sum);
    }
    return out;
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  private static Options.Builder options() {
    return Options.builder().setWarmUpRuns(1);
  }

  @Test
  public void withoutEarlyExitEveryLayersPredictionMatchesTheGraphsRunByHand() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, options().setEvaluateEveryLayer(true).build())) {
      int depth = bundle.manifest().depth();
      for (int i = 0; i < IMAGES; i++) {
        Classification r = c.classify(images.get(i));
        assertEquals(depth, r.exitLayer());
        assertEquals(depth, r.layers().size());
        for (LayerPrediction layer : r.layers()) {
          float[] expected = reference.get(i)[layer.layer() - 1];
          assertEquals("image " + i + " layer " + layer.layer(), argmax(expected), layer.labelIndex());
          assertEquals(expected[argmax(expected)], layer.confidence(), 1e-6f);
        }
        assertArrayEquals(reference.get(i)[depth - 1], r.probabilities(), 1e-6f);
        assertEquals(1 + depth + depth, r.stages().size());
        r.stages().forEach(s -> assertEquals(Accelerator.CPU, s.target().accelerator()));
      }
    }
  }

  @Test
  public void fullDepthAgreesWithTheFullGraph() {
    BundleManifest.Graph full = bundle.manifest().graphs().full();
    LoadedGraph graph = tflite.load(full, bundle.graph(full));
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, options().build())) {
      for (float[] image : images) {
        ByteBuffer in = ByteBuffer.allocateDirect(image.length * 4).order(ByteOrder.nativeOrder());
        in.asFloatBuffer().put(image);
        float[] expected = softmax(graph.run(in)[0]);
        Classification r = c.classify(image);
        assertEquals(argmax(expected), r.labelIndex());
        assertArrayEquals(expected, r.probabilities(), 1e-4f);
      }
    } finally {
      graph.close();
    }
  }

  @Test
  public void eachPlannedDepthPredictsWhatThatLayerPredicts() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, options().build())) {
      for (int depth = 1; depth <= bundle.manifest().depth(); depth++) {
        c.replan(Budget.unlimited().withMaxDepth(depth));
        for (int i = 0; i < IMAGES; i++) {
          Classification r = c.classify(images.get(i));
          assertEquals(depth, r.exitLayer());
          assertEquals(depth, r.plannedDepth());
          assertArrayEquals(reference.get(i)[depth - 1], r.probabilities(), 1e-6f);
        }
      }
    }
  }

  @Test
  public void withAThresholdTheExitLayerIsTheFirstWhoseConfidencePassesIt() {
    // Thresholds at and between the confidences the fixture really produces, so every exit layer occurs.
    List<Float> thresholds = new ArrayList<>();
    for (float[][] layers : reference) {
      for (float[] p : layers) {
        thresholds.add(p[argmax(p)]);
      }
    }
    Collections.sort(thresholds);
    List<Float> picked = List.of(0f, thresholds.get(0), thresholds.get(thresholds.size() / 3),
        thresholds.get(thresholds.size() / 2), thresholds.get(2 * thresholds.size() / 3), 1f);
    int depth = bundle.manifest().depth();
    int[] exitsSeen = new int[depth + 1];
    for (float t : picked) {
      try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, options().setExitPolicy(ExitPolicy.threshold(t)).build())) {
        for (int i = 0; i < IMAGES; i++) {
          int expected = depth;
          for (int l = 1; l <= depth; l++) {
            float[] p = reference.get(i)[l - 1];
            if (p[argmax(p)] >= t) {
              expected = l;
              break;
            }
          }
          Classification r = c.classify(images.get(i));
          assertEquals("threshold " + t + " image " + i, expected, r.exitLayer());
          assertEquals(expected, r.blockNanos().length); // nothing ran past the exit
          assertArrayEquals(reference.get(i)[expected - 1], r.probabilities(), 1e-6f);
          exitsSeen[expected]++;
        }
      }
    }
    for (int l = 1; l <= depth; l++) {
      assertTrue("no image exited at layer " + l, exitsSeen[l] > 0);
    }
  }

  @Test
  public void blocksBeyondThePlanAreNeverLoadedAndReplanningReleasesOrLoadsThem() {
    CountingExecutor counting = new CountingExecutor(tflite);
    GraphCosts costs = GraphCosts.forBundle(bundle, counting);
    long oneBlock = costs.stem().memoryBytes() + costs.head().memoryBytes() + costs.block(1).memoryBytes();
    Budget small = Budget.unlimited().withMemoryBytes(oneBlock);
    try (ElasticClassifier c = ElasticClassifier.create(bundle, counting, options().setBudget(small).build())) {
      assertEquals(1, c.plan().depth());
      assertEquals(DepthPlan.Constraint.MEMORY, c.plan().limitedBy());
      assertEquals(1, counting.live("block_01.tflite"));
      assertEquals(0, counting.loads("block_02.tflite"));
      assertEquals(0, counting.loads("block_03.tflite"));
      assertEquals(0, counting.loads("full.tflite"));
      assertArrayEquals(reference.get(0)[0], c.classify(images.get(0)).probabilities(), 1e-6f);

      c.replan(Budget.unlimited());
      assertEquals(1, counting.live("block_02.tflite"));
      assertEquals(1, counting.live("block_03.tflite"));
      assertEquals(1, counting.loads("block_01.tflite")); // kept, not reloaded
      assertArrayEquals(reference.get(0)[2], c.classify(images.get(0)).probabilities(), 1e-6f);

      c.replan(small);
      assertEquals(0, counting.live("block_02.tflite"));
      assertEquals(0, counting.live("block_03.tflite"));
      assertEquals(1, counting.live("block_01.tflite"));
      // What the executor estimated is what the loaded graphs report, up to the arena's intermediates.
      GraphCosts estimated = GraphCosts.forExecutor(bundle.manifest(), counting);
      long estimate = estimated.stem().memoryBytes() + estimated.head().memoryBytes() + estimated.block(1).memoryBytes();
      long resident = c.residentBytes();
      assertTrue(resident + " < estimated " + estimate, resident >= estimate);
      assertTrue(resident + " vs estimated " + estimate, resident <= 1.1 * estimate);
      // The planner charges at least that, and at least each graph's activation bound (larger for these tiny blocks).
      assertEquals(oneBlock, c.plan().memoryBytes());
      assertTrue(oneBlock + " vs " + estimate, oneBlock >= estimate);
    }
    for (String file : List.of("stem.tflite", "head.tflite", "block_01.tflite", "block_02.tflite", "block_03.tflite")) {
      assertEquals(file, 0, counting.live(file));
    }
    assertEquals(1, counting.threads.size()); // everything on the owner thread
  }

  @Test
  public void eightThreadsGetTheSameResultsAsOne() throws Exception {
    // The 64 real samples with the calibrated threshold: a mix of early and full-depth exits.
    BundleManifest m = bundle.manifest();
    int n = m.input().elementCount();
    float[] all = TestBundles.sampleImages(m.input());
    List<float[]> samples = new ArrayList<>();
    for (int i = 0; i < TestBundles.SAMPLE_COUNT; i++) {
      samples.add(java.util.Arrays.copyOfRange(all, i * n, (i + 1) * n));
    }
    Options o = options().setExitPolicy(ExitPolicy.recommended(m.calibration())).build();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, tflite, o)) {
      List<Classification> single = new ArrayList<>();
      for (float[] image : samples) {
        single.add(c.classify(image));
      }
      assertTrue(single.stream().anyMatch(Classification::exitedEarly));
      assertTrue(single.stream().anyMatch(r -> !r.exitedEarly()));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<List<Future<Classification>>> perThread = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          List<Integer> order = new ArrayList<>();
          for (int i = 0; i < samples.size(); i++) {
            order.add(i);
          }
          Collections.shuffle(order, new Random(t));
          List<Future<Classification>> futures = new ArrayList<>(Collections.nCopies(samples.size(), null));
          for (int i : order) {
            futures.set(i, pool.submit(() -> c.classify(samples.get(i))));
          }
          perThread.add(futures);
        }
        for (List<Future<Classification>> futures : perThread) {
          for (int i = 0; i < samples.size(); i++) {
            Classification r = futures.get(i).get();
            assertEquals(single.get(i).labelIndex(), r.labelIndex());
            assertEquals(single.get(i).exitLayer(), r.exitLayer());
            assertArrayEquals(single.get(i).probabilities(), r.probabilities(), 0f);
          }
        }
      } finally {
        pool.shutdown();
      }
    }
  }
}
