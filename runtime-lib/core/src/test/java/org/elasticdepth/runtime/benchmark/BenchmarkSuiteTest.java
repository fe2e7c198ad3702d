package org.elasticdepth.runtime.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FrontierPoint;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.GraphTarget;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.FakeBundles.FakeExecutor;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.spi.Accelerator;
import org.junit.Test;

public class BenchmarkSuiteTest {
  static final DeviceInfo DEVICE = new DeviceInfo("desktop", "Test", "JVM", "fake soc", "Linux", 0, 1L << 30, 2, "amd64");

  /** Classes 0,1,2,1,2 confident from layers 1,2,2,4 and never: exits at 1,2,2,4,4, the last one wrong. */
  static List<LabelledSample> samples() {
    return List.of(FakeBundles.sample(0, 1), FakeBundles.sample(1, 2), FakeBundles.sample(2, 2),
        FakeBundles.sample(1, 4), FakeBundles.sample(2, 5));
  }

  static BenchmarkSuite.Options.Builder options() {
    return BenchmarkSuite.Options.builder().device(DEVICE).warmupRuns(2).timedRuns(5).samples(samples());
  }

  @Test
  public void measuresEveryDepthAndTheEarlyExitPass() {
    FakeExecutor fake = new FakeExecutor(List.of(), List.of("block_02.tflite"));
    List<Integer> steps = new ArrayList<>();
    BenchmarkResult r;
    try (Bundle bundle = FakeBundles.bundle(true)) {
      BenchmarkSuite suite = BenchmarkSuite.create(options().addExecutor("gpu", () -> fake).generator("test").build());
      r = suite.run(bundle, (executor, stage, step, total) -> {
        assertEquals(FakeBundles.DEPTH + 4, total);
        steps.add(step);
      });
    }
    assertEquals(BenchmarkResult.SCHEMA_VERSION, r.schemaVersion());
    assertEquals(List.of(1, 2, 3, 4), r.settings().depths());
    assertEquals(0.9, r.settings().threshold(), 0);
    assertEquals(FakeBundles.DEPTH + 4, (int) steps.get(steps.size() - 1));
    ExecutorResult gpu = r.executors().get(0);
    assertEquals(Status.OK, gpu.status());
    long previousResident = 0;
    for (DepthResult d : gpu.depths()) {
      assertEquals(Status.OK, d.status());
      assertEquals(5, d.latency().count());
      assertTrue(d.initMs() >= 0 && d.firstInferenceMs() >= 0 && d.warmupMeanMs() >= 0);
      assertEquals(d.depth() + 2, d.targets().size()); // stem, blocks, head
      assertEquals(d.graphBytes() + 100L * (d.depth() + 2), (long) d.residentBytes());
      assertTrue(d.residentBytes() > previousResident);
      previousResident = d.residentBytes();
      assertNull(d.processResidentBytes()); // no probe given
    }
    GraphTarget block2 = gpu.okDepth(2).targets().get(2);
    assertEquals("block_02.tflite", block2.graph());
    assertEquals("CPU", block2.accelerator());
    assertEquals("GPU", block2.requested());
    assertEquals("GPU refused an op", block2.fallbackReason());
    assertNull(gpu.okDepth(2).targets().get(1).fallbackReason());

    assertEquals(Status.OK, gpu.full().status());
    assertEquals(5, gpu.full().full().count());
    assertEquals(100 * (gpu.full().chained().meanMs() / gpu.full().full().meanMs() - 1), gpu.full().overheadPercent(), 1e-9);
    assertEquals("full.tflite", gpu.full().targets().get(gpu.full().targets().size() - 1).graph());

    EarlyExit e = gpu.earlyExit();
    assertEquals(Status.OK, e.status());
    assertEquals(5, (int) e.samples());
    assertEquals(List.of(1, 2, 0, 2), e.exitHistogram());
    assertEquals(0.8, e.accuracy(), 1e-12);
    assertEquals(0.8, e.fullDepthAccuracy(), 1e-12);
    assertEquals(2.6, e.meanExitLayer(), 1e-12);
    assertEquals(4 * 5 / 13.0, e.speedUpByLayers(), 1e-12); // sum(L*m_i)/sum(i*m_i) = 20/13
    assertEquals(List.of(0.2, 0.6, 0.6, 0.8), e.layerAccuracy());
    assertEquals(e.fullDepthLatency().meanMs() / e.earlyExitLatency().meanMs(), e.speedUpByWallClock(), 1e-12);
    assertEquals(BenchmarkSuite.FRONTIER_THRESHOLDS.length, e.frontier().size()); // 0.9 is one of them
    for (FrontierPoint p : e.frontier()) {
      assertEquals(0.8, p.accuracy(), 1e-12);
      assertEquals(2.6, p.meanExitLayer(), 1e-12);
    }
    assertEquals(Status.SKIPPED, gpu.sustained().status());
    assertEquals(fake.loaded, fake.closed);
    assertTrue(fake.executorClosed);
  }

  @Test
  public void measuresEveryPrecisionWithItsOwnGraphsAndCalibration() {
    List<FakeExecutor> cpus = new ArrayList<>();
    List<FakeExecutor> gpus = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    BenchmarkResult r;
    try (Bundle bundle = FakeBundles.twoPrecisions(true)) {
      BenchmarkSuite.Options o = options()
          .addExecutor("cpu", () -> add(cpus, new FakeExecutor(List.of(), List.of())))
          .addExecutor("gpu", () -> add(gpus, new FakeExecutor(List.of("stem.fp16.tflite"), List.of())
              .preferring(Accelerator.GPU)))
          .build();
      r = BenchmarkSuite.create(o).run(bundle, (executor, stage, step, total) -> {
        assertEquals(2 * 2 * (FakeBundles.DEPTH + 4), total);
        progress.add(executor);
      });
    }
    assertEquals(List.of("fp32", "fp16"), r.bundle().precisions());
    assertTrue(r.multiPrecision());
    assertEquals(List.of("cpu", "gpu"), r.executorNames());
    // one fresh executor per precision; each loads only its own precision's graphs
    assertEquals(2, cpus.size());
    assertTrue(cpus.get(0).loadedFiles.stream().noneMatch(f -> f.contains(".fp16.")));
    assertFalse(cpus.get(1).loadedFiles.isEmpty());
    assertTrue(cpus.get(1).loadedFiles.toString(), cpus.get(1).loadedFiles.stream().allMatch(f -> f.contains(".fp16.")));
    assertTrue(progress.contains("cpu fp16"));

    assertEquals(4, r.executors().size());
    ExecutorResult fp32 = r.executor("cpu", "fp32");
    ExecutorResult fp16 = r.executor("cpu", "fp16");
    assertEquals("cpu fp16", r.label(fp16));
    assertEquals(Status.OK, fp16.status());
    assertEquals(FakeBundles.THRESHOLD, fp32.earlyExit().threshold(), 0);
    assertEquals(FakeBundles.FP16_THRESHOLD, fp16.earlyExit().threshold(), 0); // its own calibration
    assertEquals(FakeBundles.THRESHOLD, r.settings().threshold(), 0);
    assertEquals("stem.fp16.tflite", fp16.okDepth(1).targets().get(0).graph());
    assertEquals("full.fp16.tflite", fp16.full().targets().get(fp16.full().targets().size() - 1).graph());
    assertEquals(Status.OK, fp16.exitPolicies().get(1).status()); // a latency pass through the classifier
    assertEquals(0.8, fp16.earlyExit().accuracy(), 1e-12);

    // the GPU executor cannot load fp16's stem: that precision failed, fp32 was measured
    assertEquals(Status.OK, r.executor("gpu", "fp32").status());
    assertEquals(Status.FAILED, r.executor("gpu", "fp16").status());
    assertEquals("GraphException: stem.fp16.tflite: delegate rejected the graph", r.executor("gpu", "fp16").error());

    assertEquals(2, r.precisionChoices().size());
    BenchmarkResult.AutomaticPrecision cpu = r.precisionChoice("cpu");
    assertEquals("fp32", cpu.precision());
    assertEquals("CPU", cpu.accelerator());
    assertEquals("the bundle has no int8 graphs", cpu.reason());
    BenchmarkResult.AutomaticPrecision gpu = r.precisionChoice("gpu");
    assertEquals("fp16", gpu.precision());
    assertEquals("GPU", gpu.accelerator());
    assertEquals(0.0, gpu.accuracyDrop(), 0);
  }

  @Test
  public void aSinglePrecisionBundleGivesOneEntryPerExecutorAsBefore() {
    BenchmarkResult r;
    try (Bundle bundle = FakeBundles.bundle(false)) {
      r = BenchmarkSuite.create(options().addExecutor("cpu", () -> new FakeExecutor(List.of(), List.of())).build())
          .run(bundle, ProgressListener.NONE);
    }
    assertFalse(r.multiPrecision());
    assertEquals(List.of("fp32"), r.bundle().precisions());
    assertEquals(1, r.executors().size());
    assertEquals("fp32", r.executors().get(0).precision());
    assertEquals("cpu", r.label(r.executors().get(0)));
    assertEquals("the only precision in the bundle", r.precisionChoice("cpu").reason());
  }

  @Test
  public void anExecutorThatCannotBeCreatedHasNoChoiceButSaysWhy() {
    BenchmarkResult r;
    try (Bundle bundle = FakeBundles.twoPrecisions(false)) {
      r = BenchmarkSuite.create(options().addExecutor("npu", () -> {
        throw new UnsatisfiedLinkError("no NNAPI");
      }).build()).run(bundle, ProgressListener.NONE);
    }
    assertEquals(2, r.executors().size());
    r.executors().forEach(e -> assertEquals(Status.FAILED, e.status()));
    assertNull(r.precisionChoice("npu").precision());
    assertEquals("the executor failed: UnsatisfiedLinkError: no NNAPI", r.precisionChoice("npu").reason());
  }

  private static FakeExecutor add(List<FakeExecutor> created, FakeExecutor executor) {
    created.add(executor);
    return executor;
  }

  @Test
  public void failuresAreRecordedAndTheSuiteGoesOn() {
    FakeExecutor rejectsBlock3 = new FakeExecutor(List.of("block_03.tflite"), List.of());
    FakeExecutor healthy = new FakeExecutor(List.of(), List.of());
    BenchmarkResult r;
    try (Bundle bundle = FakeBundles.bundle(false)) {
      BenchmarkSuite.Options o = options()
          .addExecutor("missing", () -> {
            throw new UnsatisfiedLinkError("no libtensorflowlite_gpu_jni.so");
          })
          .addExecutor("rejects-block-3", () -> rejectsBlock3)
          .addExecutor("cpu", () -> healthy)
          .addExecutor("rejects-stem", () -> new FakeExecutor(List.of("stem.tflite"), List.of()))
          .depths(List.of(3, 1))
          .sustainedSeconds(0.05)
          .sustainedIntervalSeconds(0.01)
          .thermalStatus(() -> "none")
          .processResidentBytes(() -> 12345)
          .build();
      r = BenchmarkSuite.create(o).run(bundle, ProgressListener.NONE);
    }
    assertEquals(List.of(1, 3), r.settings().depths());
    ExecutorResult missing = r.executors().get(0);
    assertEquals(Status.FAILED, missing.status());
    assertEquals("UnsatisfiedLinkError: no libtensorflowlite_gpu_jni.so", missing.error());
    assertTrue(missing.depths().isEmpty());

    ExecutorResult partial = r.executors().get(1);
    assertEquals(Status.OK, partial.status());
    assertEquals(Status.OK, partial.depths().get(0).status());
    DepthResult failed = partial.depths().get(1);
    assertEquals(3, failed.depth());
    assertEquals(Status.FAILED, failed.status());
    assertEquals("GraphException: block_03.tflite: delegate rejected the graph", failed.error());
    assertNull(failed.latency());
    assertEquals(Status.SKIPPED, partial.full().status());
    assertEquals("the bundle has no full.tflite", partial.full().message());
    assertEquals(Status.FAILED, partial.earlyExit().status());
    assertTrue(partial.earlyExit().message().contains("block_03.tflite"));
    assertEquals(Status.FAILED, partial.sustained().status());
    assertEquals(rejectsBlock3.loaded, rejectsBlock3.closed); // partial chains were closed

    ExecutorResult cpu = r.executors().get(2);
    assertEquals(Status.OK, cpu.okDepth(3).status());
    assertEquals(12345L, (long) cpu.okDepth(3).processResidentBytes());
    assertEquals(Status.OK, cpu.earlyExit().status());
    assertEquals(Status.OK, cpu.sustained().status());
    assertEquals(3, (int) cpu.sustained().depth());
    assertFalse(cpu.sustained().points().isEmpty());
    assertEquals("none", cpu.sustained().points().get(0).thermalStatus());
    assertTrue(cpu.sustained().points().get(0).runs() >= 1);
    assertTrue(cpu.setupMs() >= 0);

    ExecutorResult noStem = r.executors().get(3);
    assertEquals(Status.FAILED, noStem.status());
    assertEquals("GraphException: stem.tflite: delegate rejected the graph", noStem.error());
    assertNull(noStem.setupMs());
  }

  @Test
  public void aProbeThatFailsCostsOnlyItsFigureNeverTheDepth() {
    // Android 7 has no java.nio.file: a probe using it throws NoSuchMethodError, a LinkageError.
    try (Bundle bundle = FakeBundles.bundle(false)) {
      BenchmarkSuite.Options o = options()
          .addExecutor("cpu", () -> new FakeExecutor(List.of(), List.of()))
          .sustainedSeconds(0.02)
          .sustainedIntervalSeconds(0.01)
          .processResidentBytes(() -> {
            throw new NoSuchMethodError("java.io.File.toPath");
          })
          .thermalStatus(() -> {
            throw new IllegalStateException("no thermal service");
          })
          .build();
      ExecutorResult cpu = BenchmarkSuite.create(o).run(bundle, ProgressListener.NONE).executors().get(0);
      assertEquals(FakeBundles.DEPTH, cpu.depths().size());
      for (DepthResult d : cpu.depths()) {
        assertEquals(d.error(), Status.OK, d.status());
        assertNull(d.processResidentBytes());
      }
      assertEquals(cpu.sustained().message(), Status.OK, cpu.sustained().status());
      assertFalse(cpu.sustained().points().isEmpty());
      cpu.sustained().points().forEach(p -> assertNull(p.thermalStatus()));
    }
  }

  @Test
  public void earlyExitIsSkippedWithoutSamples() {
    try (Bundle bundle = FakeBundles.bundle(false)) {
      BenchmarkSuite.Options o = BenchmarkSuite.Options.builder().device(DEVICE).timedRuns(1)
          .addExecutor("cpu", () -> new FakeExecutor(List.of(), List.of())).build();
      ExecutorResult cpu = BenchmarkSuite.create(o).run(bundle, ProgressListener.NONE).executors().get(0);
      assertEquals(Status.SKIPPED, cpu.earlyExit().status());
      assertEquals("no labelled samples were given", cpu.earlyExit().message());
      assertNotNull(cpu.okDepth(4));
    }
  }

  @Test
  public void badOptionsAndBadInputAreRefusedUpFront() {
    assertThrows(IllegalArgumentException.class, () -> BenchmarkSuite.Options.builder().device(DEVICE).build());
    assertThrows(IllegalArgumentException.class,
        () -> BenchmarkSuite.Options.builder().addExecutor("cpu", () -> null).build()); // no device
    assertThrows(IllegalArgumentException.class,
        () -> BenchmarkSuite.Options.builder().addExecutor("cpu", () -> null).addExecutor("cpu", () -> null));
    assertThrows(IllegalArgumentException.class, () -> options().addExecutor("cpu", () -> null).threshold(1.5).build());
    assertThrows(IllegalArgumentException.class, () -> options().addExecutor("cpu", () -> null).timedRuns(0).build());
    try (Bundle bundle = FakeBundles.bundle(false)) {
      BenchmarkSuite tooDeep = BenchmarkSuite.create(options().addExecutor("cpu", () -> null).depths(List.of(5)).build());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tooDeep.run(bundle, ProgressListener.NONE));
      assertEquals("depth 5 is outside 1..4 of this bundle", e.getMessage());
      BenchmarkSuite wrongSample = BenchmarkSuite.create(options().addExecutor("cpu", () -> null)
          .samples(List.of(new LabelledSample(new float[3], 0))).build());
      assertThrows(IllegalArgumentException.class, () -> wrongSample.run(bundle, ProgressListener.NONE));
    }
  }

  @Test
  public void interruptionCancelsTheSuite() {
    try (Bundle bundle = FakeBundles.bundle(false)) {
      BenchmarkSuite suite = BenchmarkSuite.create(options().addExecutor("cpu", () -> new FakeExecutor(List.of(), List.of())).build());
      Thread.currentThread().interrupt();
      try {
        assertThrows(CancellationException.class, () -> suite.run(bundle, ProgressListener.NONE));
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  public void pixelsAreNormalisedAsTheManifestSays() {
    try (Bundle bundle = FakeBundles.bundle(false)) {
      byte[] pixels = new byte[FakeBundles.PIXELS];
      pixels[0] = (byte) 255;
      pixels[1] = (byte) 128;
      float[] in = LabelledSample.fromPixels(bundle.manifest().input(), pixels, 2).input();
      assertEquals((1f - 0.5f) / 0.25f, in[0], 1e-6);
      assertEquals((128f / 255 - 0.5f) / 0.25f, in[1], 1e-6);
      assertEquals(-2f, in[2], 1e-6);
      assertThrows(IllegalArgumentException.class, () -> LabelledSample.fromPixels(bundle.manifest().input(), new byte[3], 0));
    }
  }
}
