package org.elasticdepth.exporter.train;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.Test;

public class AdamWTest {
  @Test
  public void aNonFiniteGradientIsDroppedAndAFiniteOneApplied() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[] {1f, 2f});
      w.setRequiresGradient(true);
      AdamW optimizer = new AdamW(Map.of("layer.weight", w), 0f, 1f);

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(w.mul(Float.NaN).sum());
      }
      assertFalse("a NaN gradient must not be applied", optimizer.step(0.1f));
      assertArrayEquals(new float[] {1f, 2f}, w.toFloatArray(), 0f);

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(w.sum());
      }
      assertTrue(optimizer.step(0.1f));
      assertTrue("a finite gradient moves the weights", w.toFloatArray()[0] < 1f);
    }
  }
}
