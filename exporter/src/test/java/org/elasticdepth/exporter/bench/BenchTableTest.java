package org.elasticdepth.exporter.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.BlockGrowth;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.DepthResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.EarlyExit;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.ExecutorResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.FullComparison;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Sustained;
import org.elasticdepth.runtime.benchmark.LatencyStats;
import org.junit.Test;

public class BenchTableTest {
  private static final LatencyStats LATENCY = LatencyStats.ofNanos(new long[] {1_000_000});

  private static DepthResult depth(int d, long resident, long graph, Long process) {
    return new DepthResult(d, Status.OK, null, 1.0, 1.0, 1.0, LATENCY, resident, graph, process, List.of());
  }

  private static ExecutorResult executor(DepthResult... depths) {
    return new ExecutorResult("cpu1", Status.OK, null, 1.0, List.of(depths), FullComparison.notRun(Status.SKIPPED, "-"),
        EarlyExit.notRun(Status.SKIPPED, "-"), Sustained.notRun(Status.SKIPPED, "-"));
  }

  @Test
  public void residentLineHoldsTheWorstRatioToTheGoal() {
    ExecutorResult e = executor(depth(1, 210, 100, null), depth(2, 400, 200, null));
    assertEquals("- resident bytes: grow with depth; at most 2.100 x the loaded graphs' bytes (goal <= 1.05: missed)",
        BenchTable.residentLine(e));
  }

  private static BenchmarkResult result(ExecutorResult... executors) {
    return new BenchmarkResult(BenchmarkResult.SCHEMA_VERSION, "test", "2026-11-23T00:00:00Z", null, null, null,
        List.of(executors));
  }

  @Test
  public void processGrowthIsPerAddedBlockBetweenTheShallowestAndDeepestDepthOfTheFirstExecutor() {
    // depth 1 -> 3: two blocks; the process grew by 900 per block, the graphs by 100, the accounting by 300
    ExecutorResult first = executor(depth(1, 1000, 500, 10_000L), depth(2, 1300, 600, 10_500L), depth(3, 1600, 700, 11_800L));
    ExecutorResult second = executor(depth(1, 1000, 500, 11_800L), depth(3, 1600, 700, 11_800L));
    BlockGrowth g = result(first, second).blockGrowth().orElseThrow();
    assertEquals(900, g.processBytes(), 0);
    assertEquals("- process resident set: +900 bytes per added block (depth 1 to 3) = 9.00 x a block's graph bytes;"
        + " the executor accounts for 300 of them (33 %)", BenchTable.processGrowthLine(g));
  }

  @Test
  public void theOverheadGoalIsJudgedOnMediansAndTheMeanIsShownBeside() {
    // one preempted chained run: the mean says +62.5 %, the median +4 %
    LatencyStats chained = LatencyStats.ofNanos(new long[] {104_000, 104_000, 104_000, 338_000});
    LatencyStats full = LatencyStats.ofNanos(new long[] {100_000, 100_000, 100_000, 100_000});
    FullComparison f = new FullComparison(Status.OK, null, chained, full, 100 * (chained.meanMs() / full.meanMs() - 1),
        1.0, 1L, List.of());
    assertEquals(4.0, f.medianOverheadPercent(), 1e-9);
    assertEquals("- chained vs full.tflite at full depth: median 0.104 ms vs 0.100 ms, overhead +4.0 % (goal <= 5 %: met);"
        + " by mean 0.163 ms vs 0.100 ms, +62.5 %", BenchTable.fullLine(f));
    assertNull(FullComparison.notRun(Status.SKIPPED, "no full.tflite").medianOverheadPercent());
  }

  @Test
  public void processGrowthNeedsTwoMeasuredDepths() {
    assertTrue(result(executor(depth(1, 1000, 500, 10_000L), depth(2, 1300, 600, null))).blockGrowth().isEmpty());
    assertTrue(result().blockGrowth().isEmpty());
  }
}
