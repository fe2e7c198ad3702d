package org.elasticdepth.exporter.tflite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class HalfTest {
  @Test
  public void knownValues() {
    assertEquals(0x3c00, Half.fromFloat(1f) & 0xffff);
    assertEquals(0xc000, Half.fromFloat(-2f) & 0xffff);
    assertEquals(0x7bff, Half.fromFloat(65504f) & 0xffff); // largest finite half
    assertEquals(0x7c00, Half.fromFloat(65520f) & 0xffff); // rounds up to infinity
    assertEquals(0x0001, Half.fromFloat(0x1p-24f) & 0xffff); // smallest subnormal
    assertEquals(0x0000, Half.fromFloat(0x1p-26f) & 0xffff); // below half of it: zero
    assertEquals(0x8000, Half.fromFloat(-0f) & 0xffff);
    assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
    assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat(Half.fromFloat(Float.NEGATIVE_INFINITY)), 0f);
  }

  @Test
  public void roundsToNearestEven() {
    // 1 + 2^-11 is exactly between 1 and the next half (1 + 2^-10): ties go to the even mantissa (1).
    assertEquals(0x3c00, Half.fromFloat(1f + 0x1p-11f) & 0xffff);
    // 1 + 3 * 2^-11 is between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up to the even one.
    assertEquals(0x3c02, Half.fromFloat(1f + 3 * 0x1p-11f) & 0xffff);
  }

  @Test
  public void everyHalfRoundTripsExactly() {
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = Half.toFloat(h);
      if (!Float.isNaN(f)) {
        assertEquals("bits " + Integer.toHexString(bits), bits, Half.fromFloat(f) & 0xffff);
      }
    }
  }

  @Test
  public void relativeErrorIsAtMostHalfAnUlp() {
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 100_000; i++) {
      float f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(6) - 3));
      float back = Half.toFloat(Half.fromFloat(f));
      if (Math.abs(f) > 0x1p-14f) { // normal range
        assertTrue(f + " -> " + back, Math.abs(back - f) <= Math.abs(f) * 0x1p-11f * 1.0001f);
      }
    }
  }
}
