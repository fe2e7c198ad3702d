package org.elasticdepth.runtime;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.elasticdepth.runtime.Classification.LayerPrediction;
import org.elasticdepth.runtime.Classification.StageKind;
import org.elasticdepth.runtime.ElasticClassifier.Options;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.After;
import org.junit.Test;

/** Engine logic on {@link FakeExecutor}; the same behaviour on real TFLite graphs is tested in runtime-desktop. */
public class ElasticClassifierTest {
  private static final int DEPTH = 4;
  private final FakeExecutor executor = new FakeExecutor();
  private final Bundle bundle = FakeBundle.open(DEPTH);

  @After
  public void closeBundle() {
    bundle.close();
  }

  private static float[] image(float firstPixel) {
    float[] image = new float[16];
    image[0] = firstPixel;
    return image;
  }

  private static Options.Builder options() {
    return Options.builder().setWarmUpRuns(0);
  }

  /** Memory of stem + head + {@code depth} blocks, as the planner counts it. */
  private long memoryFor(int depth) {
    GraphCosts costs = GraphCosts.fromManifest(bundle.manifest());
    return costs.stem().memoryBytes() + costs.head().memoryBytes() + depth * costs.block(1).memoryBytes();
  }

  @Test
  public void runsToFullDepthWithoutEarlyExit() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build())) {
      Classification r = c.classify(image(0));
      assertEquals(DEPTH, r.exitLayer());
      assertEquals(DEPTH, r.plannedDepth());
      assertFalse(r.exitedEarly());
      assertEquals(Math.floorMod(DEPTH, 3), r.labelIndex());
      assertEquals(bundle.manifest().labels().get(r.labelIndex()), r.label());
      assertEquals(FakeExecutor.confidence(DEPTH), r.confidence(), 1e-6f);
      assertEquals(1, r.layers().size()); // the head ran once
      assertEquals(1 + DEPTH + 1, r.stages().size());
      assertEquals(StageKind.STEM, r.stages().get(0).kind());
      assertEquals(DEPTH, r.blockNanos().length);
      assertEquals(1, r.headNanos().length);
      assertTrue(r.totalNanos() >= r.stemNanos());
      assertEquals("fake", r.executorName());
      assertEquals(1.0, sum(r.probabilities()), 1e-6);
      assertTrue(r.plan().reason(), r.plan().reason().contains("full depth fits"));
    }
  }

  @Test
  public void withoutABudgetTheBundlesMinimalDepthIsThePlan() {
    BundleManifest.Calibration calibration = new BundleManifest.Calibration("validation", List.of(0.6, 0.79, 0.8, 0.8),
        List.of(new BundleManifest.FrontierPoint(0.9, 0.8, 3, 1.33)), 0.01, 0.9,
        List.of(new BundleManifest.MinimalDepth(0.005, 3), new BundleManifest.MinimalDepth(0.01, 2)));
    try (Bundle withDepth = Bundle.fromBuffers(FakeBundle.files(FakeBundle.manifest(DEPTH, calibration)));
        ElasticClassifier c = ElasticClassifier.create(withDepth, executor, options().build())) {
      assertEquals(3, c.plan().depth());
      assertEquals(DepthPlan.Constraint.MINIMAL_DEPTH, c.plan().limitedBy());
      assertTrue(c.plan().reason(), c.plan().reason().contains("minimal depth: layer 3 is within 0.5 points"));
      assertEquals(3, c.classify(image(0)).exitLayer());
      assertLoaded(3);
      assertEquals("a depth cap given by the caller wins", DEPTH,
          c.replan(Budget.unlimited().withMaxDepth(DEPTH)).depth());
    }
  }

  @Test
  public void evaluateEveryLayerReportsEachLayersPrediction() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().setEvaluateEveryLayer(true).build())) {
      Classification r = c.classify(image(0));
      assertEquals(DEPTH, r.exitLayer());
      List<LayerPrediction> layers = r.layers();
      assertEquals(DEPTH, layers.size());
      for (int l = 1; l <= DEPTH; l++) {
        assertEquals(l, layers.get(l - 1).layer());
        assertEquals(Math.floorMod(l, 3), layers.get(l - 1).labelIndex());
        assertEquals(FakeExecutor.confidence(l), layers.get(l - 1).confidence(), 1e-6f);
      }
      assertEquals(DEPTH, r.headNanos().length);
    }
  }

  @Test
  public void exitsAtTheFirstLayerWhoseConfidencePassesTheThreshold() {
    // confidences 0.576, 0.787, 0.909, 0.965 for layers 1..4
    double[] thresholds = {0.0, 0.5, 0.7, 0.8, 0.95, 0.99};
    int[] exits = {1, 1, 2, 3, 4, 4};
    for (int i = 0; i < thresholds.length; i++) {
      Options o = options().setExitPolicy(ExitPolicy.threshold(thresholds[i])).build();
      try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, o)) {
        Classification r = c.classify(image(0));
        assertEquals("threshold " + thresholds[i], exits[i], r.exitLayer());
        assertEquals(exits[i] < DEPTH, r.exitedEarly());
        assertEquals(exits[i], r.blockNanos().length); // no block after the exit ran
        assertEquals(exits[i], r.layerConfidences().length);
        assertEquals(FakeExecutor.confidence(exits[i]), r.confidence(), 1e-6f);
      }
    }
  }

  @Test
  public void loadsOnlyThePlannedBlocksAndReplansBothWays() {
    Options o = options().setBudget(Budget.unlimited().withMemoryBytes(memoryFor(2))).build();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, o)) {
      assertEquals(2, c.plan().depth());
      assertEquals(DepthPlan.Constraint.MEMORY, c.plan().limitedBy());
      assertLoaded(2);
      assertEquals(2, c.classify(image(0)).exitLayer());

      DepthPlan down = c.replan(Budget.unlimited().withMemoryBytes(memoryFor(1)));
      assertEquals(1, down.depth());
      assertLoaded(1);
      assertEquals(1, FakeExecutor.count(executor.closes, "block_02.tflite"));
      assertEquals(1, c.classify(image(0)).exitLayer());

      DepthPlan up = c.replan(Budget.unlimited());
      assertEquals(DEPTH, up.depth());
      assertLoaded(DEPTH);
      assertEquals(2, FakeExecutor.count(executor.loads, "block_02.tflite")); // loaded again
      assertEquals(1, FakeExecutor.count(executor.loads, "block_04.tflite"));
      assertEquals(DEPTH, c.classify(image(0)).exitLayer());
      assertEquals(1, FakeExecutor.count(executor.loads, "stem.tflite"));
    }
    for (String file : List.of("stem.tflite", "head.tflite", "block_01.tflite", "block_04.tflite")) {
      assertEquals(file, 0, executor.loaded(file));
    }
  }

  @Test
  public void budgetBelowTheMinimumFailsCreateWithoutLoadingAnything() {
    Options o = options().setBudget(Budget.unlimited().withMemoryBytes(memoryFor(1) - 1)).build();
    try {
      ElasticClassifier.create(bundle, executor, o);
      fail();
    } catch (BudgetException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("stem + block 1 + head"));
    }
    assertTrue(executor.loads.isEmpty());
  }

  @Test
  public void failedReplanKeepsThePreviousPlanAndBlocks() {
    Options o = options().setBudget(Budget.unlimited().withMaxDepth(1)).build();
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, o)) {
      try {
        c.replan(Budget.unlimited().withMemoryBytes(10));
        fail();
      } catch (BudgetException expected) {
        assertEquals(1, c.plan().depth());
      }
      executor.failLoading = "block_03.tflite";
      try {
        c.replan(Budget.unlimited());
        fail();
      } catch (GraphException expected) {
        assertTrue(expected.getMessage().contains("block_03"));
      }
      assertEquals(1, c.plan().depth());
      assertLoaded(1); // block 2 was loaded, then released again
      assertEquals(1, FakeExecutor.count(executor.closes, "block_02.tflite"));
      assertEquals(1, c.classify(image(0)).exitLayer());
    }
  }

  @Test
  public void thermalPressureCapsDepth() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build())) {
      DepthPlan hot = c.replan(Budget.unlimited().withThermal(ThermalLevel.SEVERE));
      assertEquals(2, hot.depth());
      assertEquals(DepthPlan.Constraint.THERMAL, hot.limitedBy());
      assertLoaded(2);
    }
  }

  @Test
  public void everyGraphIsLoadedRunAndClosedOnTheOwnerThread() throws Exception {
    ElasticClassifier c = ElasticClassifier.create(bundle, executor, Options.defaults());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Classification>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(pool.submit(() -> c.classify(image(0))));
      }
      for (Future<Classification> f : results) {
        f.get();
      }
      c.replan(Budget.unlimited().withMaxDepth(1));
    } finally {
      c.close();
      pool.shutdown();
    }
    assertEquals(1, executor.threads.size());
    assertNotSame(Thread.currentThread(), executor.threads.iterator().next());
  }

  @Test
  public void eightThreadsGetTheSameResultsAsOne() throws Exception {
    Options o = options().setExitPolicy(ExitPolicy.threshold(0.9)).build();
    float[][] images = new float[24][];
    for (int i = 0; i < images.length; i++) {
      images[i] = image(i * 0.37f - 3);
    }
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, o)) {
      Classification[] single = new Classification[images.length];
      for (int i = 0; i < images.length; i++) {
        single[i] = c.classify(images[i]);
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Classification>> futures = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
          for (float[] img : images) {
            futures.add(pool.submit(() -> c.classify(img)));
          }
        }
        for (int k = 0; k < futures.size(); k++) {
          Classification r = futures.get(k).get();
          Classification expected = single[k % images.length];
          assertEquals(expected.labelIndex(), r.labelIndex());
          assertEquals(expected.exitLayer(), r.exitLayer());
          assertArrayEquals(expected.probabilities(), r.probabilities(), 0f);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  public void asyncCopiesItsInputAndContinuationsMayCallBack() throws Exception {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build())) {
      float[] img = image(0);
      CompletableFuture<Classification> first = c.classifyAsync(img);
      img[0] = 1; // must not affect the call already made
      assertEquals(FakeExecutor.confidence(DEPTH), first.get().confidence(), 1e-6f);
      // A continuation on the owner thread calling back must not deadlock.
      Classification nested = c.classifyAsync(image(0)).thenApply(r -> c.classify(image(1))).get();
      assertEquals(Math.floorMod(DEPTH + 1, 3), nested.labelIndex());
      FloatBuffer buffer = FloatBuffer.wrap(image(0));
      assertEquals(DEPTH, c.classify(buffer).exitLayer());
      assertEquals(0, buffer.position());
    }
  }

  @Test
  public void badInputIsATypedException() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build())) {
      expectInput(() -> c.classify(new float[15]), "15 floats", "4x4x1 = 16");
      float[] nan = image(0);
      nan[5] = Float.NaN;
      expectInput(() -> c.classify(nan), "image[5] (row 1, column 1, channel 0) is NaN");
      float[] inf = image(0);
      inf[15] = Float.NEGATIVE_INFINITY;
      expectInput(() -> c.classifyAsync(inf), "is -Infinity");
      expectInput(() -> c.classify(new int[3], 2, 2), "3 pixels");
      assertTrue(executor.runs.isEmpty()); // nothing reached a graph
    }
  }

  @Test
  public void nonFiniteLogitsAreAGraphException() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build())) {
      executor.nanLogits = true;
      try {
        c.classify(image(0));
        fail();
      } catch (GraphException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("non-finite logit"));
      }
      executor.nanLogits = false;
      assertEquals(DEPTH, c.classify(image(0)).exitLayer()); // still usable
    }
  }

  @Test
  public void closeIsIdempotentAndFreesEveryGraphOnce() {
    ElasticClassifier c = ElasticClassifier.create(bundle, executor, options().build());
    c.classify(image(0));
    c.close();
    c.close();
    for (BundleManifest.Graph g : bundle.manifest().graphs().all()) {
      assertEquals(g.file(), 1, FakeExecutor.count(executor.loads, g.file()));
      assertEquals(g.file(), 1, FakeExecutor.count(executor.closes, g.file()));
    }
    try {
      c.classify(image(0));
      fail();
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().contains("closed"));
    }
    try {
      c.replan(Budget.unlimited());
      fail();
    } catch (IllegalStateException expected) {
      // ok
    }
  }

  @Test
  public void warmUpMeasuresLatencies() {
    try (ElasticClassifier c = ElasticClassifier.create(bundle, executor, Options.builder().setWarmUpRuns(3).build())) {
      for (BundleManifest.Graph g : bundle.manifest().graphs().all()) {
        assertEquals(g.file(), 3, FakeExecutor.count(executor.runs, g.file()));
      }
      assertFalse(c.plan().reason().contains("estimated"));
    }
  }

  @Test
  public void ownedBundleIsClosedWithTheClassifier() {
    ElasticClassifier c = ElasticClassifier.fromBuffers(FakeBundle.files(FakeBundle.manifest(2)), executor, options().build());
    assertEquals(2, c.classify(image(0)).exitLayer());
    c.close();
    assertEquals(0, executor.loaded("stem.tflite"));
  }

  @Test
  public void optionsAreValidatedInBuild() {
    expectInvalid(() -> Options.builder().setExitPolicy(null).build(), "exitPolicy");
    expectInvalid(() -> Options.builder().setBudget(null).build(), "budget");
    expectInvalid(() -> Options.builder().setWarmUpRuns(-1).build(), "warmUpRuns");
    expectInvalid(() -> Options.builder().setWarmUpRuns(101).build(), "warmUpRuns");
    expectInvalid(() -> Options.builder().setAssumedFlopsPerSecond(Double.NaN).build(), "assumedFlopsPerSecond");
    Options o = Options.builder().setWarmUpRuns(5).setEvaluateEveryLayer(true).build();
    Options copy = o.toBuilder().build();
    assertEquals(5, copy.warmUpRuns());
    assertTrue(copy.evaluateEveryLayer());
    assertSame(ExitPolicy.never(), Options.defaults().exitPolicy());
  }

  private void assertLoaded(int depth) {
    for (int l = 1; l <= DEPTH; l++) {
      assertEquals("block " + l, l <= depth ? 1 : 0, executor.loaded(BundleManifest.blockFileName(l)));
    }
    assertEquals(1, executor.loaded("stem.tflite"));
    assertEquals(1, executor.loaded("head.tflite"));
  }

  private static double sum(float[] values) {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }

  private static void expectInput(Runnable r, String... fragments) {
    try {
      r.run();
      fail("expected InputException");
    } catch (InputException e) {
      for (String f : fragments) {
        assertTrue(e.getMessage(), e.getMessage().contains(f));
      }
    }
  }

  private static void expectInvalid(Runnable r, String fragment) {
    try {
      r.run();
      fail("expected IllegalArgumentException");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains(fragment));
    }
  }

  /** The fake's prediction is right at every layer; the calibration says deeper is better. */
  private static BundleManifest.Calibration latencyCalibration() {
    return new BundleManifest.Calibration("validation", List.of(0.6, 0.7, 0.8, 0.9), List.of(
        new BundleManifest.FrontierPoint(0.5, 0.7, 1.5, 4 / 1.5, List.of(60L, 30L, 10L, 0L), List.of(0.6, 0.68, 0.7, 0.7), null)),
        0.01, 0.5);
  }

  @Test
  public void latencyTargetBelowTheCheapestDepthRunsDepthOneAndSaysSo() {
    Options o = options().setWarmUpRuns(2).setExitPolicy(ExitPolicy.forLatency(1e-6)).build();
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(
        FakeBundle.files(FakeBundle.manifest(DEPTH, latencyCalibration())), executor, o)) {
      LatencyPlan plan = c.latencyPlan().orElseThrow();
      assertFalse(plan.targetMet());
      assertEquals(1, plan.depthCap());
      assertTrue(plan.reason(), plan.reason().contains("cannot be met"));
      for (int i = 0; i < 3; i++) {
        assertEquals(1, c.classify(image(0)).exitLayer());
      }
      LatencyPlan measured = c.latencyPlan().orElseThrow();
      assertEquals(3, measured.measuredRuns());
      assertTrue(measured.measuredMillis() > 0);
      assertTrue(measured.toString(), measured.toString().contains("measured"));
    }
  }

  @Test
  public void generousLatencyTargetRunsTheMostAccurateDepth() {
    Options o = options().setWarmUpRuns(2).setExitPolicy(ExitPolicy.forLatency(60_000)).build();
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(
        FakeBundle.files(FakeBundle.manifest(DEPTH, latencyCalibration())), executor, o)) {
      LatencyPlan plan = c.latencyPlan().orElseThrow();
      assertTrue(plan.targetMet());
      assertEquals(DEPTH, plan.depthCap());
      assertTrue(Double.isNaN(plan.threshold())); // full depth without exit: .9 beats every threshold
      Classification r = c.classify(image(0));
      assertEquals(DEPTH, r.exitLayer());
      assertEquals(1, r.layers().size()); // no early exit planned: the head ran once
      // the plan follows replan's depth (a cap of 2 from the budget)
      c.replan(Budget.unlimited().withMaxDepth(2));
      assertEquals(2, c.latencyPlan().orElseThrow().depthCap());
      assertEquals(2, c.classify(image(0)).exitLayer());
    }
    try (ElasticClassifier plain = ElasticClassifier.create(bundle, executor, options().build())) {
      assertFalse(plain.latencyPlan().isPresent());
    }
  }
}
