package org.elasticdepth.runtime.benchmark;

import org.elasticdepth.runtime.bundle.BundleManifest.Input;

/**
 * One image of the early-exit sample set, already in the stem's input layout (NHWC float32,
 * normalised as the manifest's {@link Input} says), with its class index.
 */
public record LabelledSample(float[] input, int label) {
  public LabelledSample {
    if (input == null || input.length == 0) {
      throw new IllegalArgumentException("sample input is empty");
    }
    if (label < 0) {
      throw new IllegalArgumentException("sample label must be >= 0, got " + label);
    }
    input = input.clone();
  }

  @Override
  public float[] input() {
    return input.clone();
  }

  /** The input without a defensive copy, for the suite's hot loop. */
  float[] inputView() {
    return input;
  }

  /**
   * Normalises 8-bit pixels that already have the bundle's size ({@code height x width x channels},
   * row-major, channels last), e.g. a Fashion-MNIST image: {@code (pixel * scale - mean[c]) /
   * std[c]}. Resizing and colour conversion are the input translator's job, not the benchmark's.
   *
   * @throws IllegalArgumentException if the pixel count does not match {@code spec}
   */
  public static LabelledSample fromPixels(Input spec, byte[] pixels, int label) {
    if (pixels.length != spec.elementCount()) {
      throw new IllegalArgumentException("sample has " + pixels.length + " pixels but the bundle input is "
          + spec.height() + "x" + spec.width() + "x" + spec.channels() + " = " + spec.elementCount());
    }
    float[] mean = spec.mean();
    float[] std = spec.std();
    int channels = spec.channels();
    float[] out = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      int c = i % channels;
      out[i] = ((pixels[i] & 0xff) * spec.scale() - mean[c]) / std[c];
    }
    return new LabelledSample(out, label);
  }
}
