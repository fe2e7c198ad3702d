package org.elasticdepth.exporter.bench;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A few Fashion-MNIST-shaped images (28x28 grayscale, labels 0..9) in the dataset's IDX files, so
 * that tests of {@code exporter bench} run without the Debian package {@code dataset-fashion-mnist}.
 * The pixels are random: the bench measures speed and bookkeeping, not what a random-weight model
 * recognises.
 */
public final class FashionMnistFixture {
  private static final int SIZE = 28;

  private FashionMnistFixture() {}

  /** Writes {@code count} images as both the train and the t10k split into {@code dir}; returns {@code dir}. */
  public static Path write(Path dir, int count, long seed) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    byte[] pixels = new byte[count * SIZE * SIZE];
    random.nextBytes(pixels);
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 10);
    }
    for (String split : new String[] {"train", "t10k"}) {
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(split + "-images-idx3-ubyte")))) {
        out.writeInt(0x00000803);
        out.writeInt(count);
        out.writeInt(SIZE);
        out.writeInt(SIZE);
        out.write(pixels);
      }
      try (OutputStream file = Files.newOutputStream(dir.resolve(split + "-labels-idx1-ubyte"));
          DataOutputStream out = new DataOutputStream(file)) {
        out.writeInt(0x00000801);
        out.writeInt(count);
        out.write(labels);
      }
    }
    return dir;
  }
}
