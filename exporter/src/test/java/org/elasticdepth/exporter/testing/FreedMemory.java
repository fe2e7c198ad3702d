package org.elasticdepth.exporter.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use-after-free of Java direct memory visible: lets the garbage collector free every
 * direct buffer nobody references any more, then hands memory of the same size out again filled
 * with a pattern. A libtorch tensor still pointing at a freed buffer then reads the pattern.
 */
public final class FreedMemory {
  /** The float every reused buffer is filled with. */
  public static final float PATTERN = 7f;

  private FreedMemory() {}

  /**
   * Frees unreachable buffers and refills {@code count} new ones of {@code bytes} each, five times.
   *
   * @return the buffers, to keep them reachable (and their memory taken) while the caller checks
   */
  public static List<ByteBuffer> reuse(int bytes, int count) throws InterruptedException {
    List<ByteBuffer> taken = new ArrayList<>();
    for (int round = 0; round < 5; round++) {
      System.gc();
      Thread.sleep(20); // the cleaner thread frees the collected buffers
      for (int i = 0; i < count; i++) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        for (int at = 0; at + Float.BYTES <= bytes; at += Float.BYTES) {
          b.putFloat(at, PATTERN);
        }
        taken.add(b);
      }
    }
    return taken;
  }
}
