package org.elasticdepth.exporter.export;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/**
 * The trained weights of an elastic ViT by contract name ({@code stem.patch.weight}, {@code
 * block3.attn.qkv.weight}, {@code head.fc.bias}, ...; see {@code ElasticVit}), row-major float32
 * in the training side's layouts. Plain Java, so graphs can be built and tested without DJL.
 *
 * <p>Immutable: values are copied in and out.
 */
public final class VitWeights {
  private final Map<String, float[]> values;
  private final Map<String, int[]> shapes;

  private VitWeights(Map<String, float[]> values, Map<String, int[]> shapes) {
    this.values = values;
    this.shapes = shapes;
  }

  /**
   * Weights from name -> values and name -> shape maps (e.g. {@code ElasticVit.namedWeights()} and
   * {@code weightShapes()}).
   *
   * @throws ExportException if the two maps name different weights or a shape does not fit its values
   */
  public static VitWeights of(Map<String, float[]> values, Map<String, long[]> shapes) {
    if (!values.keySet().equals(shapes.keySet())) {
      Set<String> differing = new TreeSet<>(values.keySet());
      differing.addAll(shapes.keySet());
      differing.removeIf(n -> values.containsKey(n) && shapes.containsKey(n));
      throw new ExportException("weights and shapes name different tensors: " + differing);
    }
    Map<String, float[]> v = new LinkedHashMap<>();
    Map<String, int[]> s = new LinkedHashMap<>();
    for (Map.Entry<String, float[]> e : values.entrySet()) {
      long[] shape = shapes.get(e.getKey());
      int[] intShape = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
      if (count(intShape) != e.getValue().length) {
        throw new ExportException("weight " + e.getKey() + " has " + e.getValue().length + " values but shape "
            + Arrays.toString(shape));
      }
      v.put(e.getKey(), e.getValue().clone());
      s.put(e.getKey(), intShape);
    }
    return new VitWeights(v, s);
  }

  /** Names and shapes every weight of a shared-head model of shape {@code model} must have, in order. */
  public static Map<String, int[]> expectedShapes(Model m) {
    int d = m.dim();
    Map<String, int[]> s = new LinkedHashMap<>();
    s.put("stem.patch.weight", new int[] {d, m.channels(), m.patchSize(), m.patchSize()});
    s.put("stem.patch.bias", new int[] {d});
    s.put("stem.cls", new int[] {1, 1, d});
    s.put("stem.pos", new int[] {1, m.tokens(), d});
    for (int l = 1; l <= m.depth(); l++) {
      String b = "block" + l + ".";
      s.put(b + "ln1.gamma", new int[] {d});
      s.put(b + "ln1.beta", new int[] {d});
      s.put(b + "attn.qkv.weight", new int[] {3 * d, d});
      s.put(b + "attn.qkv.bias", new int[] {3 * d});
      s.put(b + "attn.proj.weight", new int[] {d, d});
      s.put(b + "attn.proj.bias", new int[] {d});
      s.put(b + "ln2.gamma", new int[] {d});
      s.put(b + "ln2.beta", new int[] {d});
      s.put(b + "mlp.fc1.weight", new int[] {m.mlpDim(), d});
      s.put(b + "mlp.fc1.bias", new int[] {m.mlpDim()});
      s.put(b + "mlp.fc2.weight", new int[] {d, m.mlpDim()});
      s.put(b + "mlp.fc2.bias", new int[] {d});
    }
    s.put("head.ln.gamma", new int[] {d});
    s.put("head.ln.beta", new int[] {d});
    s.put("head.fc.weight", new int[] {m.numClasses(), d});
    s.put("head.fc.bias", new int[] {m.numClasses()});
    return s;
  }

  /**
   * Checks that these weights are exactly those of {@code model}: no weight missing, none extra,
   * every shape equal (size-1 dimensions aside).
   *
   * @throws ExportException listing every mismatch
   */
  public void requireMatches(Model model) {
    Map<String, int[]> expected = expectedShapes(model);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, int[]> e : expected.entrySet()) {
      int[] actual = shapes.get(e.getKey());
      if (actual == null) {
        problems.add("missing " + e.getKey());
      } else if (!Arrays.equals(squeeze(actual), squeeze(e.getValue()))) {
        problems.add(e.getKey() + " is " + Arrays.toString(actual) + ", expected " + Arrays.toString(e.getValue()));
      }
    }
    for (String name : shapes.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unexpected " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw new ExportException("the weights do not match the model configuration (dim " + model.dim() + ", depth "
          + model.depth() + ", heads " + model.heads() + ", mlpDim " + model.mlpDim() + ", classes "
          + model.numClasses() + ", patch " + model.patchSize() + ", image " + model.imageSize() + "x"
          + model.imageSize() + "x" + model.channels() + "): " + String.join("; ", problems.subList(0,
          Math.min(problems.size(), 8))) + (problems.size() > 8 ? "; ... (" + problems.size() + " problems)" : ""));
    }
  }

  /** A copy of weight {@code name}'s values. */
  public float[] values(String name) {
    return require(name).clone();
  }

  /** Weight {@code name}'s shape as stored. */
  public int[] shape(String name) {
    require(name);
    return shapes.get(name).clone();
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** Total number of weight values. */
  public long parameterCount() {
    return values.values().stream().mapToLong(v -> v.length).sum();
  }

  private float[] require(String name) {
    float[] v = values.get(name);
    if (v == null) {
      throw new ExportException("no weight named " + name);
    }
    return v;
  }

  private static int[] squeeze(int[] shape) {
    return Arrays.stream(shape).filter(d -> d != 1).toArray();
  }

  private static long count(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
