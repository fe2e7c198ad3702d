package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.Test;

/** The sample images shipped in assets/samples are real Fashion-MNIST test images, read correctly. */
public class SampleImagesTest {
  private static final Path ASSETS = Path.of("src/main/assets");

  private static SampleImages shipped() throws IOException {
    return SampleImages.read(new FileInputStream(ASSETS.resolve(SampleImages.IMAGES_ASSET).toFile()),
        new FileInputStream(ASSETS.resolve(SampleImages.LABELS_ASSET).toFile()));
  }

  @Test
  public void readsThirtyTwoLabelledGrayscaleImages() throws IOException {
    SampleImages samples = shipped();
    assertEquals(32, samples.size());
    Frame first = samples.get(0);
    assertEquals(28, first.width());
    assertEquals(28, first.height());
    assertEquals(9, first.trueLabel()); // the first Fashion-MNIST test image is an ankle boot
    assertEquals(0, first.sampleIndex());
    for (int p : first.argb()) {
      assertEquals("grey, opaque", 0xFF, p >>> 24);
      assertEquals((p >> 16) & 0xFF, p & 0xFF);
    }
    assertEquals(samples.get(0), samples.get(32)); // wraps around
  }

  /**
   * Compared with the runtime's test fixture, which holds the first 64 Fashion-MNIST test images
   * copied from the Debian package, so this test does not need the dataset installed.
   */
  @Test
  public void matchesTheFirstFashionMnistTestImagesPixelForPixel() throws IOException {
    byte[] pixels = TestBundles.samplePixels();
    int[] labels = TestBundles.sampleLabels();
    SampleImages samples = shipped();
    for (int i = 0; i < 32; i++) {
      assertEquals("label of image " + i, labels[i], samples.get(i).trueLabel());
      int[] argb = samples.get(i).argb();
      for (int p = 0; p < 784; p++) {
        assertEquals("image " + i + " pixel " + p, pixels[i * 784 + p] & 0xFF, argb[p] & 0xFF);
      }
    }
  }

  @Test
  public void rejectsWrongOrTruncatedFiles() {
    byte[] labels = {0, 0, 8, 1, 0, 0, 0, 1, 3};
    byte[] notImages = {0, 0, 8, 1, 0, 0, 0, 1, 3};
    assertThrows(IOException.class, () -> SampleImages.read(new ByteArrayInputStream(notImages), new ByteArrayInputStream(labels)));
    byte[] truncated = Arrays.copyOf(new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28}, 16 + 100);
    IOException e = assertThrows(IOException.class,
        () -> SampleImages.read(new ByteArrayInputStream(truncated), new ByteArrayInputStream(labels)));
    assertTrue(e.toString(), e instanceof java.io.EOFException);
  }
}
