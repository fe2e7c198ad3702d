package org.elasticdepth.exporter.verify;

/**
 * The model a bundle is checked against: the exit logits of every layer for a batch of images
 * (DJL's {@code ElasticVit.infer} in the CLI, a plain-Java forward pass in tests).
 */
@FunctionalInterface
public interface LayerwiseReference {
  /**
   * @param imagesNhwc {@code batch} normalised images, NHWC float32, one after the other
   * @return {@code logits[layer][image][class]}, layer 0 = after block 1
   */
  float[][][] layerLogits(float[] imagesNhwc, int batch);
}
