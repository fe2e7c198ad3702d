package org.elasticdepth.exporter.quantize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.train.Evaluation;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.DesktopGraph;

/**
 * A model's graphs of one precision on desktop TFLite, run as the phone runs them (stem, each
 * block, the shared head after every block): every layer's prediction and confidence per image.
 * This is what per-layer accuracy and each precision's exit calibration are measured on.
 */
public final class LayerEvaluation {
  private LayerEvaluation() {}

  /**
   * @param images NHWC normalised images, {@code labels.length} of them
   */
  public static LayerPredictions run(VitGraphs graphs, DesktopExecutor executor, float[] images, int[] labels) {
    int depth = graphs.model().depth();
    int count = labels.length;
    int floats = images.length / count;
    List<DesktopGraph> open = new ArrayList<>();
    try {
      DesktopGraph stem = load(open, executor, graphs.stem());
      List<DesktopGraph> blocks = new ArrayList<>();
      for (int l = 1; l <= depth; l++) {
        blocks.add(load(open, executor, graphs.block(l)));
      }
      DesktopGraph head = load(open, executor, graphs.head());
      ByteBuffer image = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder());
      float[][][] probabilities = new float[depth][count][];
      for (int i = 0; i < count; i++) {
        image.clear();
        image.asFloatBuffer().put(images, i * floats, floats);
        ByteBuffer tokens = stem.run(image)[0];
        for (int l = 0; l < depth; l++) {
          ByteBuffer[] out = blocks.get(l).run(tokens);
          tokens = out[0];
          probabilities[l][i] = softmax(head.run(out[1])[0]);
        }
      }
      return LayerPredictions.of(probabilities, labels);
    } finally {
      open.forEach(DesktopGraph::close);
    }
  }

  /** Fraction of images whose prediction at {@code layer} (0-based) is the same in both. */
  public static double agreement(LayerPredictions a, LayerPredictions b, int layer) {
    int same = 0;
    for (int i = 0; i < a.size(); i++) {
      if (a.predicted()[layer][i] == b.predicted()[layer][i]) {
        same++;
      }
    }
    return (double) same / a.size();
  }

  /** Accuracy at every layer. */
  public static double[] accuracy(LayerPredictions p) {
    double[] accuracy = new double[p.layers()];
    for (int l = 0; l < p.layers(); l++) {
      int correct = 0;
      for (int i = 0; i < p.size(); i++) {
        if (p.predicted()[l][i] == p.labels()[i]) {
          correct++;
        }
      }
      accuracy[l] = (double) correct / p.size();
    }
    return accuracy;
  }

  /** Loads {@code graph} from a direct copy of its bytes and adds it to {@code open} (closed by the caller). */
  static DesktopGraph load(List<DesktopGraph> open, DesktopExecutor executor, BuiltGraph graph) {
    ByteBuffer bytes = ByteBuffer.allocateDirect(graph.bytes().length);
    bytes.put(graph.bytes()).flip();
    DesktopGraph loaded = executor.load(graph.manifestEntry(), bytes);
    open.add(loaded);
    return loaded;
  }

  private static float[] softmax(ByteBuffer logitsBuffer) {
    float[] logits = new float[logitsBuffer.remaining() / Float.BYTES];
    logitsBuffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(logits);
    return Evaluation.softmax(logits);
  }
}
