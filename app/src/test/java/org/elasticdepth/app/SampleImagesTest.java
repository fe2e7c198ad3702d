package org.elasticdepth.app;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.junit.Test;

/** The sample images shipped in assets/samples are real Fashion-MNIST test images, read correctly. */
public class SampleImagesTest {
  private static final Path ASSETS = Path.of("src/main/assets");
  private static final Path DATASET = Path.of("/usr/share/datasets/fashion-mnist");

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

  @Test
  public void matchesTheDatasetPixelForPixel() throws IOException {
    if (!Files.isDirectory(DATASET)) {
      throw new AssertionError("the Debian package dataset-fashion-mnist is needed: " + DATASET + " is missing");
    }
    byte[] images;
    try (InputStream in = new GZIPInputStream(new FileInputStream(DATASET.resolve("t10k-images-idx3-ubyte.gz").toFile()))) {
      images = in.readNBytes(16 + 32 * 784);
    }
    SampleImages samples = shipped();
    for (int i = 0; i < 32; i++) {
      int[] argb = samples.get(i).argb();
      for (int p = 0; p < 784; p++) {
        assertEquals("image " + i + " pixel " + p, images[16 + i * 784 + p] & 0xFF, argb[p] & 0xFF);
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
