package org.elasticdepth.runtime;

import java.util.List;
import java.util.Locale;
import org.elasticdepth.runtime.spi.ExecutionTarget;

/**
 * The result of one {@link ElasticClassifier#classify}: the prediction, where it exited, the plan
 * it ran under, and what every stage cost and ran on. Immutable.
 */
public final class Classification {
  /** The prediction of the shared head after one layer. */
  public record LayerPrediction(int layer, int labelIndex, float confidence) {}

  /** Which graph a {@link Stage} ran. */
  public enum StageKind { STEM, BLOCK, HEAD }

  /**
   * One graph run, in execution order.
   *
   * @param layer 0 for the stem; the block's layer; for the head, the layer after which it ran
   * @param nanos wall time of the run on the classifier's owner thread
   * @param target where the graph runs (accelerator, fallback)
   */
  public record Stage(StageKind kind, int layer, long nanos, ExecutionTarget target) {}

  private final int labelIndex;
  private final String label;
  private final float[] probabilities;
  private final int exitLayer;
  private final DepthPlan plan;
  private final List<LayerPrediction> layers;
  private final List<Stage> stages;
  private final long totalNanos;
  private final String executorName;

  Classification(int labelIndex, String label, float[] probabilities, int exitLayer, DepthPlan plan,
      List<LayerPrediction> layers, List<Stage> stages, long totalNanos, String executorName) {
    this.labelIndex = labelIndex;
    this.label = label;
    this.probabilities = probabilities;
    this.exitLayer = exitLayer;
    this.plan = plan;
    this.layers = List.copyOf(layers);
    this.stages = List.copyOf(stages);
    this.totalNanos = totalNanos;
    this.executorName = executorName;
  }

  /** Index of the predicted class in the manifest's labels. */
  public int labelIndex() {
    return labelIndex;
  }

  /** Name of the predicted class. */
  public String label() {
    return label;
  }

  /** Softmax probability of the predicted class at the exit layer. */
  public float confidence() {
    return probabilities[labelIndex];
  }

  /** Softmax probabilities of every class at the exit layer (a copy). */
  public float[] probabilities() {
    return probabilities.clone();
  }

  /** The 1-based layer whose head gave this prediction. */
  public int exitLayer() {
    return exitLayer;
  }

  /** Whether the prediction came before the planned depth. */
  public boolean exitedEarly() {
    return exitLayer < plan.depth();
  }

  public int plannedDepth() {
    return plan.depth();
  }

  /** The plan this classification ran under; {@code plan().reason()} says why this depth. */
  public DepthPlan plan() {
    return plan;
  }

  /** Which of the bundle's precisions ran, and why; null only for plans made outside a classifier. */
  public PrecisionChoice precision() {
    return plan.precision();
  }

  /**
   * The head's prediction after each layer where it ran, in order: every layer up to the exit
   * with an early-exit policy (or with per-layer evaluation), else only the planned depth.
   */
  public List<LayerPrediction> layers() {
    return layers;
  }

  /** The confidences of {@link #layers()}, in order. */
  public float[] layerConfidences() {
    float[] out = new float[layers.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = layers.get(i).confidence();
    }
    return out;
  }

  /** Every graph run, in execution order, with its time and target. */
  public List<Stage> stages() {
    return stages;
  }

  public long stemNanos() {
    return sum(StageKind.STEM);
  }

  /** Time of each block that ran, index 0 = layer 1. */
  public long[] blockNanos() {
    return stages.stream().filter(s -> s.kind() == StageKind.BLOCK).mapToLong(Stage::nanos).toArray();
  }

  /** Time of each head call, in the order of {@link #layers()}. */
  public long[] headNanos() {
    return stages.stream().filter(s -> s.kind() == StageKind.HEAD).mapToLong(Stage::nanos).toArray();
  }

  /** Wall time on the owner thread from copying the input to the softmax of the exit layer. */
  public long totalNanos() {
    return totalNanos;
  }

  /** The {@link org.elasticdepth.runtime.spi.BlockExecutor#name()} that ran the graphs. */
  public String executorName() {
    return executorName;
  }

  private long sum(StageKind kind) {
    return stages.stream().filter(s -> s.kind() == kind).mapToLong(Stage::nanos).sum();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s (%.3f) at layer %d of %d in %.2f ms", label, confidence(), exitLayer,
        plan.depth(), totalNanos / 1e6);
  }
}
