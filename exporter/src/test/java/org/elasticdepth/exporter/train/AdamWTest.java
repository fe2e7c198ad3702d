package org.elasticdepth.exporter.train;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.elasticdepth.exporter.testing.FreedMemory;
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

  /**
   * Regression: dropping a non-finite gradient used to overwrite it with NDArray.set(float[]), which on
   * DJL's PyTorch engine re-points the gradient's storage at a Java direct buffer that only the temporary
   * gradient wrapper kept alive. Once the garbage collector freed that buffer, the next backward pass
   * accumulated into freed memory: garbage gradients (NaN) and heap corruption ("munmap_chunk(): invalid
   * pointer", a SIGSEGV in backward). The gradient must stay in memory libtorch owns.
   */
  @Test
  public void aDroppedGradientIsZeroedInPlaceNotMovedToJavaMemory() throws InterruptedException {
    int n = 4096;
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray w = manager.create(new float[n]);
      w.setRequiresGradient(true);
      AdamW optimizer = new AdamW(Map.of("layer.weight", w), 0f, 1f);
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(w.add(1f).mul(Float.NaN).sum());
      }
      assertFalse(optimizer.step(0.1f));

      // a gradient still pointing at a freed Java buffer would read FreedMemory.PATTERN
      List<ByteBuffer> taken = FreedMemory.reuse(n * Float.BYTES, 50);

      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(w.sum());
      }
      float[] expected = new float[n];
      Arrays.fill(expected, 1f);
      assertArrayEquals("gradient of sum(w) after a dropped step", expected, w.getGradient().toFloatArray(), 0f);
      java.lang.ref.Reference.reachabilityFence(taken);
    }
  }
}
