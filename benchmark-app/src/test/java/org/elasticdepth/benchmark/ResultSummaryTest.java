package org.elasticdepth.benchmark;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import org.elasticdepth.runtime.benchmark.BenchmarkJson;
import org.junit.Test;

public class ResultSummaryTest {
  @Test
  public void aBundleOfSeveralPrecisionsGetsOneRowEachAndTheRuntimesPick() {
    String s = ResultSummary.format(BenchmarkJson.read(new File("../docs/results/bench/desktop-tiny-fp32-fp16.json")));
    assertTrue(s, s.contains("Precisions (fp32, fp16; ratios vs fp32 on the same executor):"));
    assertTrue(s, s.contains("\n  CPU 1 thread fp32 *: "));  // the runtime's own pick is starred
    assertTrue(s, s.contains("\n  CPU 1 thread fp16: ") && s.matches("(?s).*CPU 1 thread fp16: median [0-9.]+ ms at depth 3 \\([0-9.]+x\\).*"));
    assertTrue(s, s.contains("@0.900"));
    assertTrue(s, s.contains("  * CPU 1 thread runs fp32 by itself: the bundle has no int8 graphs"));
    assertTrue(s, s.contains("\nCPU 1 thread fp16 (setup "));
  }

  @Test
  public void aSinglePrecisionResultReadsAsBefore() {
    String s = ResultSummary.format(BenchmarkJson.read(new File("../docs/results/bench/desktop-default-bundle.json")));
    assertFalse(s, s.contains("Precisions"));
    assertTrue(s, s.contains("\nCPU 1 thread (setup "));
  }
}
