package org.elasticdepth.benchmark;

import android.content.res.AssetManager;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.runtime.benchmark.LabelledSample;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;

/**
 * The labelled images of the early-exit pass: grayscale pictures and their class indices in the
 * IDX format of (Fashion-)MNIST, the assets {@code samples/images.idx3} and {@code
 * samples/labels.idx1} that the demo app ships too (the build points both apps at the same assets).
 */
final class SampleSet {
  static final String IMAGES_ASSET = "samples/images.idx3";
  static final String LABELS_ASSET = "samples/labels.idx1";

  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private SampleSet() {}

  /**
   * The first {@code limit} samples (all for a negative limit), normalised for {@code manifest}'s
   * stem.
   *
   * @throws IOException if an asset is missing or malformed
   * @throws SampleMismatchException if the images or labels do not fit the bundle, e.g. a bundle
   *     trained on another image size: the early-exit pass cannot use them
   */
  static List<LabelledSample> read(AssetManager assets, BundleManifest manifest, int limit) throws IOException {
    try (DataInputStream images = new DataInputStream(assets.open(IMAGES_ASSET));
        DataInputStream labels = new DataInputStream(assets.open(LABELS_ASSET))) {
      return read(images, labels, manifest, limit);
    }
  }

  static List<LabelledSample> read(InputStream imageStream, InputStream labelStream, BundleManifest manifest, int limit)
      throws IOException {
    DataInputStream images = new DataInputStream(imageStream);
    DataInputStream labels = new DataInputStream(labelStream);
    expectMagic(images.readInt(), IMAGES_MAGIC, IMAGES_ASSET);
    int count = images.readInt();
    int rows = images.readInt();
    int cols = images.readInt();
    expectMagic(labels.readInt(), LABELS_MAGIC, LABELS_ASSET);
    int labelCount = labels.readInt();
    if (count < 0 || rows <= 0 || cols <= 0 || count != labelCount) {
      throw new IOException("sample assets are inconsistent: " + count + " images of " + rows + "x" + cols + ", "
          + labelCount + " labels");
    }
    Input input = manifest.input();
    if (input.height() != rows || input.width() != cols || input.channels() != 1) {
      throw new SampleMismatchException("the samples are " + rows + "x" + cols + "x1 but the bundle takes "
          + input.height() + "x" + input.width() + "x" + input.channels());
    }
    int n = limit < 0 ? count : Math.min(limit, count);
    byte[] pixels = new byte[rows * cols];
    List<LabelledSample> samples = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      images.readFully(pixels);
      int label = labels.readUnsignedByte();
      if (label >= manifest.model().numClasses()) {
        throw new SampleMismatchException("sample " + i + " has label " + label + " but the bundle has "
            + manifest.model().numClasses() + " classes");
      }
      samples.add(LabelledSample.fromPixels(input, pixels, label));
    }
    return samples;
  }

  private static void expectMagic(int actual, int expected, String name) throws IOException {
    if (actual != expected) {
      throw new IOException(name + " is not an IDX file of the expected kind (magic 0x" + Integer.toHexString(actual)
          + ", expected 0x" + Integer.toHexString(expected) + ")");
    }
  }

  /** The sample set is readable but does not fit this bundle. */
  static final class SampleMismatchException extends IllegalArgumentException {
    SampleMismatchException(String message) {
      super(message);
    }
  }
}
