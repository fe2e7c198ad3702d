package org.elasticdepth.exporter.quantize;

import java.util.Random;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.verify.DjlReference;

/**
 * The images quantization works on, NHWC and normalised as the bundle's input: calibration images
 * from the run's training split (never validation or test), validation images and labels for the
 * recipe choice and each precision's exit calibration.
 */
public record QuantizationData(float[] calibrationImages, int calibrationCount, float[] validationImages,
    int[] validationLabels) {

  /**
   * {@code calibrationCount} training images chosen by a permutation seeded with {@code seed} (the
   * same images on every export of the run), and the whole validation split.
   *
   * @throws IllegalArgumentException if the training split has fewer images than asked for
   */
  public static QuantizationData of(DataSplits splits, Normalization normalization, int calibrationCount, long seed) {
    ImageSet train = splits.train();
    if (calibrationCount < 1 || calibrationCount > train.size()) {
      throw new IllegalArgumentException("--calibration-images must be in 1.." + train.size()
          + " (the run's training images), got " + calibrationCount);
    }
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Random random = new Random(seed ^ 0x5157_1A7EL);
    for (int i = 0; i < calibrationCount; i++) { // partial Fisher-Yates: the first N of a random permutation
      int j = i + random.nextInt(order.length - i);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    ImageSet calibration = train.subset(java.util.Arrays.copyOf(order, calibrationCount));
    ImageSet validation = splits.validation();
    return new QuantizationData(nhwc(calibration, normalization), calibrationCount, nhwc(validation, normalization),
        validation.labels());
  }

  private static float[] nhwc(ImageSet set, Normalization normalization) {
    return DjlReference.toNhwc(set.normalized(0, set.size(), normalization), set.size(), set.imageSize(), set.channels());
  }
}
