package org.elasticdepth.app;

/**
 * One upright picture on its way to the classifier: ARGB pixels (0xAARRGGBB, row-major) plus
 * where it came from. Camera frames and sample images both become a {@code Frame}, so everything
 * after this point (crop, resize, channels, normalisation) is the same code for both.
 *
 * @param trueLabel the known class index of a sample image, or {@link #UNKNOWN} for camera frames
 * @param sampleIndex 0-based index of a sample image, or {@link #UNKNOWN} for camera frames
 */
public record Frame(int[] argb, int width, int height, int trueLabel, int sampleIndex) {
  public static final int UNKNOWN = -1;

  public Frame {
    if (width <= 0 || height <= 0 || argb.length != width * height) {
      throw new IllegalArgumentException(
          "a " + width + "x" + height + " frame needs " + width * height + " pixels, got " + argb.length);
    }
  }

  /** A camera frame: no known label. */
  public static Frame ofCamera(int[] argb, int width, int height) {
    return new Frame(argb, width, height, UNKNOWN, UNKNOWN);
  }

  public boolean isSample() {
    return sampleIndex != UNKNOWN;
  }
}
