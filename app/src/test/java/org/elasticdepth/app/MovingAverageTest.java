package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class MovingAverageTest {
  @Test
  public void averagesTheLastWindowOnly() {
    MovingAverage avg = new MovingAverage(3);
    assertTrue(Double.isNaN(avg.mean()));
    avg.add(1);
    avg.add(2);
    assertEquals(1.5, avg.mean(), 1e-12);
    avg.add(3);
    avg.add(10); // drops the 1
    assertEquals(5.0, avg.mean(), 1e-12);
    assertEquals(3, avg.count());
    avg.clear();
    assertEquals(0, avg.count());
  }
}
