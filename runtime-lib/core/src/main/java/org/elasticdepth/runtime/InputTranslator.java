package org.elasticdepth.runtime;

import java.util.Objects;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;

/**
 * Turns a picture into the stem's input, exactly as the manifest's {@link Input} describes it
 * (the pre-processing half of a DJL {@code Translator}), so apps need not re-implement it:
 *
 * <ol>
 *   <li>crop: {@code center-crop} takes the largest centred region with the input's aspect
 *       ratio; {@code stretch} takes the whole picture;
 *   <li>resize to {@code height x width} bilinearly, sampling pixel centres (PIL/torchvision
 *       convention); when shrinking by more than 2x, each output pixel averages a grid of
 *       bilinear samples over its footprint so that camera frames do not alias;
 *   <li>channels: 3 = R, G, B; 1 = luminance {@code (299 R + 587 G + 114 B) / 1000} (Rec. 601,
 *       exact for grey pixels); alpha is ignored;
 *   <li>normalise: {@code (value * scale - mean[c]) / std[c]}, written NHWC.
 * </ol>
 *
 * <p>Immutable and thread-safe.
 */
public final class InputTranslator {
  private final int height;
  private final int width;
  private final int channels;
  private final boolean centerCrop;
  private final float scale;
  private final float[] mean;
  private final float[] std;

  private InputTranslator(Input input) {
    if (input.channels() != 1 && input.channels() != 3) {
      throw new IllegalArgumentException("pictures can be translated to 1 or 3 channels, the bundle wants " + input.channels());
    }
    height = input.height();
    width = input.width();
    channels = input.channels();
    centerCrop = "center-crop".equals(input.resize());
    scale = input.scale();
    mean = input.mean();
    std = input.std();
  }

  /** The translator for a bundle's {@code manifest.input()}. */
  public static InputTranslator of(Input input) {
    return new InputTranslator(Objects.requireNonNull(input, "input"));
  }

  /** Floats in one translated image: height x width x channels. */
  public int elementCount() {
    return Math.multiplyExact(Math.multiplyExact(height, width), channels);
  }

  /** Translates {@code argb} (row-major {@code 0xAARRGGBB}, as {@code Bitmap.getPixels}) into a new array. */
  public float[] translate(int[] argb, int pictureWidth, int pictureHeight) {
    float[] out = new float[elementCount()];
    translate(argb, pictureWidth, pictureHeight, out);
    return out;
  }

  /**
   * Translates into {@code out}, which must hold exactly {@link #elementCount()} floats.
   *
   * @throws InputException if the picture is empty or {@code argb} does not hold width x height pixels
   */
  public void translate(int[] argb, int pictureWidth, int pictureHeight, float[] out) {
    Objects.requireNonNull(argb, "argb");
    Objects.requireNonNull(out, "out");
    if (pictureWidth <= 0 || pictureHeight <= 0) {
      throw new InputException("picture size must be positive, got " + pictureWidth + "x" + pictureHeight);
    }
    if ((long) pictureWidth * pictureHeight != argb.length) {
      throw new InputException("argb holds " + argb.length + " pixels but the picture is "
          + pictureWidth + "x" + pictureHeight + " = " + (long) pictureWidth * pictureHeight);
    }
    if (out.length != elementCount()) {
      throw new InputException("out holds " + out.length + " floats, expected " + height + "x" + width + "x" + channels);
    }
    // The source region, in (fractional) pixels.
    double cropWidth = pictureWidth;
    double cropHeight = pictureHeight;
    if (centerCrop) {
      if ((double) pictureWidth * height > (double) pictureHeight * width) {
        cropWidth = (double) pictureHeight * width / height;
      } else {
        cropHeight = (double) pictureWidth * height / width;
      }
    }
    double left = (pictureWidth - cropWidth) / 2;
    double top = (pictureHeight - cropHeight) / 2;
    double stepX = cropWidth / width;
    double stepY = cropHeight / height;
    int samplesX = stepX > 2 ? (int) Math.ceil(stepX) : 1;
    int samplesY = stepY > 2 ? (int) Math.ceil(stepY) : 1;
    Picture picture = new Picture(argb, pictureWidth, pictureHeight);
    float[] rgb = new float[3];
    float[] sum = new float[3];
    int o = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        sum[0] = sum[1] = sum[2] = 0;
        for (int sy = 0; sy < samplesY; sy++) {
          double fy = top + (y + (sy + 0.5) / samplesY) * stepY - 0.5;
          for (int sx = 0; sx < samplesX; sx++) {
            double fx = left + (x + (sx + 0.5) / samplesX) * stepX - 0.5;
            picture.bilinear(fx, fy, rgb);
            sum[0] += rgb[0];
            sum[1] += rgb[1];
            sum[2] += rgb[2];
          }
        }
        float n = samplesX * samplesY;
        if (channels == 1) {
          float luminance = (299 * sum[0] + 587 * sum[1] + 114 * sum[2]) / (1000 * n);
          out[o++] = (luminance * scale - mean[0]) / std[0];
        } else {
          for (int c = 0; c < 3; c++) {
            out[o++] = (sum[c] / n * scale - mean[c]) / std[c];
          }
        }
      }
    }
  }

  /** Bilinear sampling of an ARGB picture with clamped edges. */
  private record Picture(int[] argb, int width, int height) {
    void bilinear(double fx, double fy, float[] rgb) {
      double cx = Math.min(Math.max(fx, 0), width - 1);
      double cy = Math.min(Math.max(fy, 0), height - 1);
      int x0 = (int) cx;
      int y0 = (int) cy;
      int x1 = Math.min(x0 + 1, width - 1);
      int y1 = Math.min(y0 + 1, height - 1);
      float ax = (float) (cx - x0);
      float ay = (float) (cy - y0);
      int p00 = argb[y0 * width + x0];
      int p01 = argb[y0 * width + x1];
      int p10 = argb[y1 * width + x0];
      int p11 = argb[y1 * width + x1];
      for (int c = 0; c < 3; c++) {
        int shift = 16 - 8 * c; // R, G, B
        float top = lerp((p00 >> shift) & 0xff, (p01 >> shift) & 0xff, ax);
        float bottom = lerp((p10 >> shift) & 0xff, (p11 >> shift) & 0xff, ax);
        rgb[c] = lerp(top, bottom, ay);
      }
    }

    private static float lerp(float a, float b, float t) {
      return t == 0 ? a : a + (b - a) * t;
    }
  }
}
