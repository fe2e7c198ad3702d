package org.elasticdepth.exporter.verify;

import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;

/** The trained DJL model as a {@link LayerwiseReference}: NHWC images in, per-layer logits out. */
public final class DjlReference implements LayerwiseReference {
  private static final int BATCH = 64;
  private final ElasticVit model;

  /** Uses {@code model} without taking ownership; the caller closes it. */
  public DjlReference(ElasticVit model) {
    this.model = model;
  }

  @Override
  public float[][][] layerLogits(float[] imagesNhwc, int batch) {
    VitConfig c = model.config();
    float[][][] logits = new float[c.depth()][batch][];
    for (int from = 0; from < batch; from += BATCH) {
      int n = Math.min(BATCH, batch - from);
      float[][][] part = model.infer(toNchw(imagesNhwc, from, n, c.imageSize(), c.channels()), n).logits();
      for (int l = 0; l < c.depth(); l++) {
        System.arraycopy(part[l], 0, logits[l], from, n);
      }
    }
    return logits;
  }

  /** Images {@code from .. from+count-1} of an NHWC array as NCHW. */
  public static float[] toNchw(float[] nhwc, int from, int count, int size, int channels) {
    int plane = size * size;
    int floats = plane * channels;
    float[] nchw = new float[count * floats];
    for (int i = 0; i < count; i++) {
      int base = (from + i) * floats;
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < channels; c++) {
          nchw[i * floats + c * plane + p] = nhwc[base + p * channels + c];
        }
      }
    }
    return nchw;
  }

  /** NCHW images as NHWC (the inverse of {@link #toNchw}). */
  public static float[] toNhwc(float[] nchw, int count, int size, int channels) {
    int plane = size * size;
    int floats = plane * channels;
    float[] nhwc = new float[count * floats];
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < plane; p++) {
        for (int c = 0; c < channels; c++) {
          nhwc[i * floats + p * channels + c] = nchw[i * floats + c * plane + p];
        }
      }
    }
    return nhwc;
  }
}
