package org.elasticdepth.runtime.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.AutomaticPrecision;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BundleInfo;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Settings;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.PrecisionComparison.Row;
import org.junit.Test;

public class PrecisionComparisonTest {
  @Test
  public void comparesEachPrecisionWithFp32OnTheSameExecutor() {
    BenchmarkResult r = result(List.of(
        entry("cpu", "fp32", 4.0, 1000, 5000, 0.90),
        entry("cpu", "int8", 2.0, 300, 1200, 0.89),
        failed("gpu", "fp32"),
        entry("gpu", "int8", 1.0, 250, 1000, 0.88)),
        List.of(new AutomaticPrecision("cpu", "int8", "CPU", 0.004, "int8 loses 0.40 points at worst"),
            new AutomaticPrecision("gpu", "fp32", "GPU", 0.0, "no fp16 graphs")));
    List<Row> rows = PrecisionComparison.rows(r);
    assertEquals(4, rows.size());
    Row fp32 = rows.get(0);
    assertEquals(Integer.valueOf(3), fp32.depth());
    assertEquals(1.0, fp32.latencyVsFp32(), 0);
    assertEquals(2000, fp32.residentBytesPerBlock(), 0); // (5000 - 1000) / (3 - 1)
    assertFalse(fp32.automatic());
    Row int8 = rows.get(1);
    assertEquals(0.5, int8.latencyVsFp32(), 1e-12);
    assertEquals((2.0 - 2.0 / 3) / 2, int8.blockMs(), 1e-12); // median at depth 3 minus depth 1, per block
    assertEquals(0.5, int8.blockVsFp32(), 1e-12);
    assertEquals(450, int8.residentBytesPerBlock(), 0);
    assertEquals(450 / 2000.0, int8.residentVsFp32(), 1e-12);
    assertEquals(0.89, int8.fullDepthAccuracy(), 0);
    assertEquals(0.8, int8.threshold(), 0);
    assertTrue(int8.automatic());
    Row gpuFp32 = rows.get(2);
    assertEquals(Status.FAILED, gpuFp32.status());
    assertEquals("no OpenCL", gpuFp32.error());
    assertTrue(gpuFp32.automatic());
    Row gpuInt8 = rows.get(3);
    assertNull(gpuInt8.latencyVsFp32()); // no fp32 figure to compare with
    assertNull(gpuInt8.residentVsFp32());
    assertEquals(1.0, gpuInt8.medianMs(), 0);
  }

  static BenchmarkResult result(List<ExecutorResult> entries, List<AutomaticPrecision> choices) {
    BundleInfo bundle = new BundleInfo("0123456789abcdef", "bundle", "vit-preln", 3, 64, 50, 10, "fp32", List.of(1L, 1L, 1L),
        1, 1, null, 0.9, null, null, null, null, List.of("fp32", "int8"));
    return new BenchmarkResult(BenchmarkResult.SCHEMA_VERSION, "test", "2026-11-30T06:00:00Z", BenchmarkSuiteTest.DEVICE,
        bundle, new Settings(List.of(1, 3), 0, 1, 10, null, 0), entries, choices);
  }

  static ExecutorResult entry(String name, String precision, double meanMsAtDepth3, long resident1, long resident3,
      double accuracy) {
    List<DepthResult> depths = List.of(depth(1, meanMsAtDepth3 / 3, resident1), depth(3, meanMsAtDepth3, resident3));
    EarlyExit exit = new EarlyExit(Status.OK, null, 0.8, 10, accuracy - 0.01, accuracy, List.of(0.5, 0.7, accuracy),
        List.of(5, 3, 2), 1.7, 3 / 1.7, stats(1), stats(2), 2.0, List.of());
    return new ExecutorResult(name, Status.OK, null, 1.0, depths, FullComparison.notRun(Status.SKIPPED, "no full"), exit,
        Sustained.notRun(Status.SKIPPED, "none"), List.of(), precision);
  }

  static ExecutorResult failed(String name, String precision) {
    return new ExecutorResult(name, Status.FAILED, "no OpenCL", null, List.of(), FullComparison.notRun(Status.SKIPPED,
        "executor failed"), EarlyExit.notRun(Status.SKIPPED, "executor failed"), Sustained.notRun(Status.SKIPPED,
        "executor failed"), List.of(), precision);
  }

  private static DepthResult depth(int d, double meanMs, long resident) {
    return new DepthResult(d, Status.OK, null, 1.0, 1.0, 1.0, stats(meanMs), resident, resident / 2, null, List.of());
  }

  private static LatencyStats stats(double meanMs) {
    return new LatencyStats(5, meanMs, 0, meanMs, meanMs, meanMs, meanMs, meanMs);
  }
}
