package org.elasticdepth.runtime.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class LatencyStatsTest {
  private static final double EPS = 1e-12;

  @Test
  public void summarisesTenValuesAsComputedByHand() {
    // 1..10 ms, shuffled: mean 5.5; population variance = (sum of squares 385)/10 - 5.5^2 = 8.25.
    long[] nanos = {7, 1, 10, 4, 2, 9, 3, 8, 6, 5};
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] *= 1_000_000L;
    }
    LatencyStats s = LatencyStats.ofNanos(nanos);
    assertEquals(10, s.count());
    assertEquals(5.5, s.meanMs(), EPS);
    assertEquals(Math.sqrt(8.25), s.stdMs(), EPS);
    assertEquals(1, s.minMs(), EPS);
    assertEquals(10, s.maxMs(), EPS);
    // nearest rank: p50 -> rank ceil(5) = 5 -> 5 ms; p90 -> rank 9 -> 9 ms; p99 -> rank ceil(9.9) = 10 -> 10 ms
    assertEquals(5, s.p50Ms(), EPS);
    assertEquals(9, s.p90Ms(), EPS);
    assertEquals(10, s.p99Ms(), EPS);
  }

  @Test
  public void percentilesOfAHundredValuesPickTheRankedValue() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (100 - i) * 1000L; // 100 us .. 1 us, reversed
    }
    LatencyStats s = LatencyStats.ofNanos(nanos);
    assertEquals(0.050, s.p50Ms(), EPS);
    assertEquals(0.090, s.p90Ms(), EPS);
    assertEquals(0.099, s.p99Ms(), EPS);
    assertEquals(0.0505, s.meanMs(), EPS);
  }

  @Test
  public void singleValueHasZeroSpread() {
    LatencyStats s = LatencyStats.ofNanos(new long[] {2_500_000});
    assertEquals(2.5, s.meanMs(), EPS);
    assertEquals(0, s.stdMs(), EPS);
    assertEquals(2.5, s.p99Ms(), EPS);
  }

  @Test
  public void refusesAnEmptySet() {
    assertThrows(IllegalArgumentException.class, () -> LatencyStats.ofNanos(new long[0]));
  }
}
