package org.elasticdepth.exporter.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.junit.Test;

public class PolicyLinesTest {
  private static PolicyResult latency(double target, double measured, boolean met) {
    return new PolicyResult("latency", Status.OK, null, "plan", target, 0.9, 3, 100, 0.9, 0.89, null, 0.01, target,
        measured, met);
  }

  @Test
  public void latencyTargetsAreJudgedWithinFifteenPercentOrUnder() {
    String table = BenchTable.policyLines(List.of(
        latency(0.1, 0.114, true), latency(0.1, 0.116, true), latency(0.1, 0.05, true), latency(0.01, 0.03, false),
        new PolicyResult("guaranteed", Status.OK, null, "g", null, 0.88, 6, 100, 0.904, 0.89, 0.01, 0.0093, 0.056,
            0.058, null),
        PolicyResult.notRun("guaranteed", null, Status.SKIPPED, "no guaranteed calibration")));
    String[] rows = table.split("\n");
    assertTrue(rows[3], rows[3].contains("| 1.14 (met) |"));
    assertTrue(rows[4], rows[4].contains("| 1.16 (missed) |"));
    assertTrue(rows[5], rows[5].contains("| 0.50 (met) |"));
    assertTrue(rows[6], rows[6].contains("| 3.00 (cannot be met) |"));
    assertTrue(rows[7], rows[7].startsWith("| guaranteed | - | 0.880 | 6 |"));
    assertTrue(rows[7], rows[7].contains("0.0093 (guaranteed <= 0.0100)"));
    assertEquals("- guaranteed policy: skipped (no guaranteed calibration)", rows[8]);
    assertEquals("", BenchTable.policyLines(List.of()));
  }
}
