package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.ByteBuffer;
import org.junit.Test;

public class YuvConverterTest {
  /**
   * A 4x2 sensor image (wider than tall, like every phone sensor) whose luma is 10 * (x + 1) + 100 * y,
   * with neutral chroma, in a buffer with row padding (rowStride 6) as real cameras deliver.
   */
  private static YuvPlanes gradient() {
    int width = 4;
    int height = 2;
    int rowStride = 6;
    ByteBuffer y = ByteBuffer.allocate(rowStride * height);
    for (int row = 0; row < height; row++) {
      for (int x = 0; x < width; x++) {
        y.put(row * rowStride + x, (byte) (10 * (x + 1) + 100 * row));
      }
    }
    ByteBuffer u = ByteBuffer.allocate(8);
    ByteBuffer v = ByteBuffer.allocate(8);
    for (int i = 0; i < 8; i++) {
      u.put(i, (byte) 128);
      v.put(i, (byte) 128);
    }
    return new YuvPlanes(width, height, y, rowStride, 1, u, v, 4, 2);
  }

  private static int luma(Frame f, int x, int y) {
    return f.argb()[y * f.width() + x] & 0xFF;
  }

  @Test
  public void keepsOrientationWithoutRotation() {
    Frame f = YuvConverter.toFrame(gradient(), 0, 1);
    assertEquals(4, f.width());
    assertEquals(2, f.height());
    assertEquals(10, luma(f, 0, 0));
    assertEquals(40, luma(f, 3, 0));
    assertEquals(110, luma(f, 0, 1));
    assertEquals(0xFF0A0A0A, f.argb()[0]); // neutral chroma -> grey, opaque
  }

  @Test
  public void rotatesClockwiseBy90() {
    // Clockwise: the sensor's left column becomes the top row, read bottom to top.
    Frame f = YuvConverter.toFrame(gradient(), 90, 1);
    assertEquals(2, f.width());
    assertEquals(4, f.height());
    assertEquals(110, luma(f, 0, 0));
    assertEquals(10, luma(f, 1, 0));
    assertEquals(140, luma(f, 0, 3));
    assertEquals(40, luma(f, 1, 3));
  }

  @Test
  public void rotatesBy180And270() {
    Frame upsideDown = YuvConverter.toFrame(gradient(), 180, 1);
    assertEquals(140, luma(upsideDown, 0, 0));
    assertEquals(10, luma(upsideDown, 3, 1));
    Frame ccw = YuvConverter.toFrame(gradient(), 270, 1);
    assertEquals(2, ccw.width());
    assertEquals(40, luma(ccw, 0, 0)); // the sensor's right column becomes the top row
    assertEquals(140, luma(ccw, 1, 0));
    assertEquals(10, luma(ccw, 0, 3));
  }

  @Test
  public void shrinkingAveragesEachBlock() {
    Frame f = YuvConverter.toFrame(gradient(), 0, 2);
    assertEquals(2, f.width());
    assertEquals(1, f.height());
    assertEquals((10 + 20 + 110 + 120) / 4, luma(f, 0, 0));
    assertEquals((30 + 40 + 130 + 140) / 4, luma(f, 1, 0));
  }

  @Test
  public void convertsChromaWithFullRangeBt601() {
    // Pure red is Y 76, Cb 85, Cr 255 in full-range BT.601.
    assertEquals(0xFFFE0000, YuvConverter.argb(76, 85 - 128, 255 - 128));
    YuvPlanes planes = gradient();
    for (int i = 0; i < 8; i++) {
      planes.y().put(i, (byte) 76);
      planes.u().put(i, (byte) 85);
      planes.v().put(i, (byte) 255);
    }
    assertEquals(0xFFFE0000, YuvConverter.toFrame(planes, 90, 1).argb()[0]);
  }

  @Test
  public void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> YuvConverter.toFrame(gradient(), 45, 1));
    assertThrows(IllegalArgumentException.class, () -> YuvConverter.toFrame(gradient(), 0, 0));
    assertThrows(IllegalArgumentException.class, () -> YuvConverter.toFrame(gradient(), 0, 3));
  }

  @Test
  public void factorKeepsTwiceTheModelSide() {
    assertEquals(4, YuvConverter.factorFor(320, 240, 28)); // 240 / 56
    assertEquals(1, YuvConverter.factorFor(320, 240, 224));
  }
}
