package org.elasticdepth.app;

/**
 * Turns a camera image (YUV_420_888, in sensor orientation) into a small upright ARGB picture:
 * rotate by the sensor rotation and shrink by an integer factor, each output pixel averaging its
 * {@code factor x factor} block of luma (a box filter, so shrinking does not alias). Chroma is
 * sampled at the block centre, plenty for a classifier and cheap. The whole field of view is
 * kept: cropping and the final resize follow the bundle manifest in {@link
 * org.elasticdepth.runtime.InputTranslator}, shared with sample-image mode.
 *
 * <p>Colour conversion is full-range BT.601 (JFIF), what Camera2 delivers for YUV_420_888.
 */
public final class YuvConverter {
  private YuvConverter() {}

  /**
   * @param rotationDegrees clockwise rotation that makes the image upright: 0, 90, 180 or 270
   * @param factor shrink factor >= 1; trailing rows/columns that do not fill a block are dropped
   * @return an upright camera frame of {@code (width / factor) x (height / factor)} (swapped for 90/270)
   */
  public static Frame toFrame(YuvPlanes planes, int rotationDegrees, int factor) {
    return toFrame(planes, rotationDegrees, factor, false);
  }

  /**
   * As {@link #toFrame(YuvPlanes, int, int)}, then mirrored left-right when {@code mirror} (front
   * cameras: the preview is a mirror image, and the analysed frame should show what the user sees).
   */
  public static Frame toFrame(YuvPlanes planes, int rotationDegrees, int factor, boolean mirror) {
    if (rotationDegrees % 90 != 0) {
      throw new IllegalArgumentException("rotation must be a multiple of 90 degrees, got " + rotationDegrees);
    }
    int w = planes.width();
    int h = planes.height();
    if (factor < 1 || factor > Math.min(w, h)) {
      throw new IllegalArgumentException("shrink factor must be in 1.." + Math.min(w, h) + ", got " + factor);
    }
    int rotation = ((rotationDegrees % 360) + 360) % 360;
    boolean swapped = rotation == 90 || rotation == 270;
    int outWidth = (swapped ? h : w) / factor;
    int outHeight = (swapped ? w : h) / factor;

    int[] out = new int[outWidth * outHeight];
    int[] source = new int[2];
    int blockArea = factor * factor;
    for (int oy = 0; oy < outHeight; oy++) {
      for (int ox = 0; ox < outWidth; ox++) {
        int lumaSum = 0;
        for (int ry = oy * factor; ry < (oy + 1) * factor; ry++) {
          for (int rx = ox * factor; rx < (ox + 1) * factor; rx++) {
            toSource(rx, ry, rotation, w, h, source);
            lumaSum += planes.y().get(source[1] * planes.yRowStride() + source[0] * planes.yPixelStride()) & 0xFF;
          }
        }
        toSource(ox * factor + factor / 2, oy * factor + factor / 2, rotation, w, h, source);
        int chroma = (source[1] / 2) * planes.uvRowStride() + (source[0] / 2) * planes.uvPixelStride();
        int u = (planes.u().get(chroma) & 0xFF) - 128;
        int v = (planes.v().get(chroma) & 0xFF) - 128;
        int x = mirror ? outWidth - 1 - ox : ox;
        out[oy * outWidth + x] = argb(lumaSum / blockArea, u, v);
      }
    }
    return Frame.ofCamera(out, outWidth, outHeight);
  }

  /**
   * The shrink factor that keeps a {@code width x height} image at least {@code 2 x minSide} on
   * its short side: the manifest's resize then never shrinks by much more than 2x.
   */
  public static int factorFor(int width, int height, int minSide) {
    return Math.max(1, Math.min(width, height) / (2 * Math.max(1, minSide)));
  }

  /** Maps a pixel of the upright (rotated) image to the sensor image: {x, y} into {@code source}. */
  static void toSource(int rx, int ry, int rotation, int width, int height, int[] source) {
    switch (rotation) {
      case 0 -> { source[0] = rx; source[1] = ry; }
      case 90 -> { source[0] = ry; source[1] = height - 1 - rx; }
      case 180 -> { source[0] = width - 1 - rx; source[1] = height - 1 - ry; }
      default -> { source[0] = width - 1 - ry; source[1] = rx; } // 270
    }
  }

  /** Full-range BT.601 YUV (u, v centred on 0) -> opaque ARGB. */
  static int argb(int y, int u, int v) {
    int r = clamp(Math.round(y + 1.402f * v));
    int g = clamp(Math.round(y - 0.344136f * u - 0.714136f * v));
    int b = clamp(Math.round(y + 1.772f * u));
    return 0xFF000000 | (r << 16) | (g << 8) | b;
  }

  private static int clamp(int c) {
    return c < 0 ? 0 : Math.min(c, 255);
  }
}
