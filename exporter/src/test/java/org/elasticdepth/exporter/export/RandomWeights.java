package org.elasticdepth.exporter.export;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/** Seeded random weights of the contract names and shapes, large enough that every op matters. */
public final class RandomWeights {
  private RandomWeights() {}

  public static VitWeights create(Model model, long seed) {
    Random random = new Random(seed);
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    VitWeights.expectedShapes(model).forEach((name, shape) -> {
      long count = 1;
      long[] longShape = new long[shape.length];
      for (int i = 0; i < shape.length; i++) {
        count *= shape[i];
        longShape[i] = shape[i];
      }
      float[] v = new float[(int) count];
      boolean gamma = name.endsWith(".gamma");
      double std = name.endsWith(".beta") || name.endsWith(".bias") ? 0.1 : gamma ? 0.2 : name.startsWith("stem") ? 0.5 : 0.3;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((gamma ? 1 : 0) + std * random.nextGaussian());
      }
      values.put(name, v);
      shapes.put(name, longShape);
    });
    return VitWeights.of(values, shapes);
  }

  /** {@code count} seeded N(0,1) images of {@code floats} values each. */
  public static float[] images(int count, int floats, long seed) {
    Random random = new Random(seed);
    float[] images = new float[count * floats];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    return images;
  }
}
