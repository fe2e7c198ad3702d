package org.elasticdepth.app;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The labelled test pictures of sample-image mode: grayscale images and their class indices in
 * the IDX format of (Fashion-)MNIST, stored as assets {@code samples/images.idx3} and {@code
 * samples/labels.idx1} (written by {@code app/src/tools/extract_samples.py}). Each becomes an
 * ordinary {@link Frame}, so samples go through exactly the camera's preprocessing.
 */
public final class SampleImages {
  public static final String IMAGES_ASSET = "samples/images.idx3";
  public static final String LABELS_ASSET = "samples/labels.idx1";

  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private final List<Frame> frames;

  private SampleImages(List<Frame> frames) {
    this.frames = Collections.unmodifiableList(frames);
  }

  /** Reads both IDX streams (and closes them). */
  public static SampleImages read(InputStream images, InputStream labels) throws IOException {
    try (DataInputStream img = new DataInputStream(images); DataInputStream lab = new DataInputStream(labels)) {
      expectMagic(img.readInt(), IMAGES_MAGIC, IMAGES_ASSET);
      int count = img.readInt();
      int rows = img.readInt();
      int cols = img.readInt();
      expectMagic(lab.readInt(), LABELS_MAGIC, LABELS_ASSET);
      int labelCount = lab.readInt();
      if (count <= 0 || rows <= 0 || cols <= 0 || count != labelCount) {
        throw new IOException("sample images are inconsistent: " + count + " images of " + rows + "x" + cols
            + ", " + labelCount + " labels");
      }
      byte[] gray = new byte[rows * cols];
      List<Frame> frames = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        img.readFully(gray);
        int[] argb = new int[gray.length];
        for (int p = 0; p < gray.length; p++) {
          int g = gray[p] & 0xFF;
          argb[p] = 0xFF000000 | (g << 16) | (g << 8) | g;
        }
        frames.add(new Frame(argb, cols, rows, lab.readUnsignedByte(), i));
      }
      return new SampleImages(frames);
    }
  }

  public int size() {
    return frames.size();
  }

  /** Sample {@code index}, wrapping around, so callers can simply count up. */
  public Frame get(int index) {
    return frames.get(Math.floorMod(index, frames.size()));
  }

  private static void expectMagic(int actual, int expected, String name) throws IOException {
    if (actual != expected) {
      throw new IOException(name + " is not an IDX file of the expected kind (magic 0x"
          + Integer.toHexString(actual) + ", expected 0x" + Integer.toHexString(expected) + ")");
    }
  }
}
