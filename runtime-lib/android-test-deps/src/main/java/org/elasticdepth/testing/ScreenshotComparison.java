package org.elasticdepth.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Compares a freshly rendered screen (PNG bytes, e.g. from a Robolectric native-graphics test)
 * with the committed one in {@code docs/screenshots/}, tolerant of anti-aliasing: a pixel counts
 * as different only when a channel differs by more than {@link #CHANNEL_TOLERANCE}, and up to
 * {@link #MAX_DIFFERENT_FRACTION} of the pixels may differ. On failure the fresh render and a
 * diff image (differing pixels red, the rest a faded copy) are written to the diff directory.
 *
 * <p>{@code -Dscreenshots.update=true} rewrites the committed PNG instead of comparing: after an
 * intended UI change, re-render, look at the images, commit them.
 */
public final class ScreenshotComparison {
  /** Largest per-channel difference (0..255) still counted as the same pixel: text edges move by a shade. */
  public static final int CHANNEL_TOLERANCE = 40;
  /** Fraction of pixels allowed to differ beyond the tolerance (glyph edges), 0.5 %. */
  public static final double MAX_DIFFERENT_FRACTION = 0.005;
  /** System property that turns comparison into rewriting the committed images. */
  public static final String UPDATE_PROPERTY = "screenshots.update";

  private ScreenshotComparison() {}

  /**
   * @param name file name without extension, e.g. {@code demo-samples}
   * @param renderedPng the fresh render
   * @param committedDir where the committed PNGs live ({@code docs/screenshots})
   * @param diffDir where to write {@code name.actual.png} and {@code name.diff.png} on failure
   * @throws AssertionError if the images differ beyond the tolerance, or nothing is committed yet
   */
  public static void assertMatchesCommitted(String name, byte[] renderedPng, File committedDir, File diffDir)
      throws IOException {
    File committed = new File(committedDir, name + ".png");
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(committedDir.toPath());
      Files.write(committed.toPath(), renderedPng);
      return;
    }
    BufferedImage actual = ImageIO.read(new ByteArrayInputStream(renderedPng));
    if (actual == null) {
      throw new AssertionError(name + ": the render is not a PNG");
    }
    if (!committed.isFile()) {
      File written = writeActual(name, renderedPng, diffDir);
      throw new AssertionError(name + ": no committed screenshot " + committed + "; the render is in " + written
          + " (run with -D" + UPDATE_PROPERTY + "=true to commit it)");
    }
    BufferedImage expected = ImageIO.read(committed);
    if (expected == null) {
      throw new AssertionError(committed + " is not a PNG");
    }
    if (expected.getWidth() != actual.getWidth() || expected.getHeight() != actual.getHeight()) {
      File written = writeActual(name, renderedPng, diffDir);
      throw new AssertionError(String.format(Locale.ROOT, "%s: rendered %dx%d, committed %dx%d; the render is in %s",
          name, actual.getWidth(), actual.getHeight(), expected.getWidth(), expected.getHeight(), written));
    }
    BufferedImage diff = new BufferedImage(actual.getWidth(), actual.getHeight(), BufferedImage.TYPE_INT_RGB);
    long different = 0;
    for (int y = 0; y < actual.getHeight(); y++) {
      for (int x = 0; x < actual.getWidth(); x++) {
        int a = actual.getRGB(x, y);
        int e = expected.getRGB(x, y);
        if (maxChannelDifference(a, e) > CHANNEL_TOLERANCE) {
          different++;
          diff.setRGB(x, y, 0xFF0000);
        } else {
          diff.setRGB(x, y, faded(e));
        }
      }
    }
    long pixels = (long) actual.getWidth() * actual.getHeight();
    if (different > MAX_DIFFERENT_FRACTION * pixels) {
      File written = writeActual(name, renderedPng, diffDir);
      File diffFile = new File(diffDir, name + ".diff.png");
      ImageIO.write(diff, "png", diffFile);
      throw new AssertionError(String.format(Locale.ROOT,
          "%s: %d of %d pixels (%.2f %%) differ from %s by more than %d per channel (allowed %.2f %%); render: %s, diff: %s"
              + " (if the change is intended, re-render with -D%s=true)",
          name, different, pixels, 100.0 * different / pixels, committed, CHANNEL_TOLERANCE,
          100 * MAX_DIFFERENT_FRACTION, written, diffFile, UPDATE_PROPERTY));
    }
  }

  /** Largest difference over the R, G, B and alpha channels of two ARGB pixels. */
  static int maxChannelDifference(int a, int b) {
    int max = 0;
    for (int shift = 0; shift < 32; shift += 8) {
      max = Math.max(max, Math.abs(((a >>> shift) & 0xFF) - ((b >>> shift) & 0xFF)));
    }
    return max;
  }

  private static int faded(int rgb) {
    int grey = (((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF)) / 3;
    int light = 160 + grey * 95 / 255;
    return (light << 16) | (light << 8) | light;
  }

  private static File writeActual(String name, byte[] png, File diffDir) throws IOException {
    Files.createDirectories(diffDir.toPath());
    File file = new File(diffDir, name + ".actual.png");
    Files.write(file.toPath(), png);
    return file;
  }
}
