package org.elasticdepth.exporter.quantize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.VitGraphs;
import org.elasticdepth.exporter.export.VitGraphs.BuiltGraph;
import org.elasticdepth.exporter.export.VitWeights;
import org.elasticdepth.exporter.tflite.Arithmetic;
import org.elasticdepth.exporter.tflite.OpGroup;
import org.elasticdepth.exporter.tflite.QuantizationRecipe;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.desktop.DesktopExecutor;

/**
 * Post-training int8 quantization of a model: calibrates activation ranges on training images,
 * then tries recipes from all-int8 towards more int16 and float islands, measuring each on the
 * validation split through desktop TFLite, and keeps the first whose accuracy is within
 * {@link #MAX_LAYER_DROP} of float32 at every layer and whose last layer agrees with float32 on at
 * least {@link #MIN_AGREEMENT} of the images; if none is, the best measured one.
 */
public final class Int8Quantizer {
  /** Largest accepted accuracy loss versus float32 at any layer (0.5 points). */
  public static final double MAX_LAYER_DROP = 0.005;
  /** Smallest accepted last-layer agreement with float32. */
  public static final double MIN_AGREEMENT = 0.99;

  /** One recipe's measurement on the validation split. */
  public record Trial(QuantizationRecipe recipe, double[] layerAccuracy, double worstDrop, double lastLayerAgreement) {
    public boolean passes() {
      return worstDrop <= MAX_LAYER_DROP + 1e-12 && lastLayerAgreement >= MIN_AGREEMENT;
    }
  }

  /**
   * The chosen int8 graphs and how they were chosen.
   *
   * @param predictions the chosen graphs' validation layer predictions (for its exit calibration)
   */
  public record Result(VitGraphs graphs, Trial chosen, List<Trial> trials, int calibrationImages,
      LayerPredictions predictions) {
    /** Builtin names of the operators computing in int16 in any graph of the chosen recipe. */
    public SortedSet<String> int16Ops() {
      return operators(true);
    }

    /** Builtin names of the operators computing in float32 (float islands). */
    public SortedSet<String> floatOps() {
      return operators(false);
    }

    private SortedSet<String> operators(boolean int16) {
      SortedSet<String> names = new TreeSet<>();
      List<BuiltGraph> all = new ArrayList<>(List.of(graphs.stem(), graphs.head()));
      for (int l = 1; l <= graphs.model().depth(); l++) {
        all.add(graphs.block(l));
      }
      for (BuiltGraph g : all) {
        names.addAll(int16 ? g.int16Ops() : g.floatOps());
      }
      return names;
    }
  }

  private Int8Quantizer() {}

  /**
   * The recipes tried, in order: all int8 first, then float islands growing from the attention
   * core (SOFTMAX and its BATCH_MATMULs) over LayerNorm to GELU, then TFLite's 16x8 mode for the
   * same groups. Float islands come before 16x8 because of where they run: XNNPACK takes int8
   * matrix products with float islands as one partition, while int16 operators run on TFLite's
   * reference kernels (DeiT-Tiny, 1 thread: 12.6 ms vs 204 ms at full depth, docs/results/quantization).
   */
  public static List<QuantizationRecipe> candidates() {
    QuantizationRecipe int8 = QuantizationRecipe.allInt8();
    QuantizationRecipe attentionFloat = int8.with(OpGroup.SOFTMAX, Arithmetic.FLOAT32)
        .with(OpGroup.ATTENTION_MATMUL, Arithmetic.FLOAT32);
    QuantizationRecipe lnFloat = int8.with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32);
    QuantizationRecipe ln16 = int8.with(OpGroup.LAYER_NORM, Arithmetic.INT16);
    return List.of(
        int8,
        attentionFloat,
        lnFloat,
        attentionFloat.with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32),
        attentionFloat.with(OpGroup.LAYER_NORM, Arithmetic.FLOAT32).with(OpGroup.GELU, Arithmetic.FLOAT32),
        ln16,
        ln16.with(OpGroup.SOFTMAX, Arithmetic.INT16).with(OpGroup.ATTENTION_MATMUL, Arithmetic.INT16));
  }

  /**
   * One group at a time away from all-int8 (float32, or int16 where TFLite has the kernel): which
   * part costs the accuracy. For {@code precision-study --ablation}.
   */
  public static List<QuantizationRecipe> ablation() {
    QuantizationRecipe int8 = QuantizationRecipe.allInt8();
    List<QuantizationRecipe> recipes = new ArrayList<>(List.of(int8));
    for (OpGroup g : List.of(OpGroup.LAYER_NORM, OpGroup.SOFTMAX, OpGroup.ATTENTION_MATMUL, OpGroup.GELU)) {
      recipes.add(int8.with(g, Arithmetic.FLOAT32));
      if (g != OpGroup.GELU) {
        recipes.add(int8.with(g, Arithmetic.INT16));
      }
    }
    return recipes;
  }

  /**
   * Tries {@code recipes} in order and keeps the first that passes (else the best measured).
   *
   * @param fp32Validation the float32 graphs' validation layer predictions (through TFLite)
   * @param log            receives one line per trial
   */
  public static Result quantize(Model model, VitWeights weights, QuantizationData data, LayerPredictions fp32Validation,
      DesktopExecutor executor, List<QuantizationRecipe> recipes, Consumer<String> log) {
    return quantize(model, weights, data, fp32Validation, executor, recipes, true, log);
  }

  /** As above; with {@code stopAtFirstPass} false every recipe is measured (and the first passing one kept). */
  public static Result quantize(Model model, VitWeights weights, QuantizationData data, LayerPredictions fp32Validation,
      DesktopExecutor executor, List<QuantizationRecipe> recipes, boolean stopAtFirstPass, Consumer<String> log) {
    VitGraphs fp32 = new VitGraphs(model, weights, Precision.FP32);
    TensorRanges ranges = RangeCalibration.measure(fp32, data.calibrationImages(), data.calibrationCount());
    double[] reference = LayerEvaluation.accuracy(fp32Validation);
    List<Trial> trials = new ArrayList<>();
    Trial best = null;
    VitGraphs bestGraphs = null;
    LayerPredictions bestPredictions = null;
    for (QuantizationRecipe recipe : recipes) {
      VitGraphs graphs = new VitGraphs(model, weights, new VitGraphs.Int8(ranges, recipe));
      LayerPredictions p = LayerEvaluation.run(graphs, executor, data.validationImages(), data.validationLabels());
      double[] accuracy = LayerEvaluation.accuracy(p);
      double worst = Double.NEGATIVE_INFINITY;
      for (int l = 0; l < accuracy.length; l++) {
        worst = Math.max(worst, reference[l] - accuracy[l]);
      }
      Trial trial = new Trial(recipe, accuracy, worst,
          LayerEvaluation.agreement(p, fp32Validation, model.depth() - 1));
      trials.add(trial);
      log.accept(describe(trial, reference));
      boolean firstPass = trial.passes() && (best == null || !best.passes());
      if (best == null || firstPass || (!best.passes() && better(trial, best))) {
        best = trial;
        bestGraphs = graphs;
        bestPredictions = p;
      }
      if (trial.passes() && stopAtFirstPass) {
        break;
      }
    }
    return new Result(bestGraphs, best, trials, data.calibrationCount(), bestPredictions);
  }

  private static boolean better(Trial a, Trial b) {
    return a.worstDrop() < b.worstDrop() - 1e-12
        || (Math.abs(a.worstDrop() - b.worstDrop()) <= 1e-12 && a.lastLayerAgreement() > b.lastLayerAgreement());
  }

  /** One line: recipe, worst drop, agreement, per-layer accuracy. */
  public static String describe(Trial t, double[] reference) {
    StringBuilder layers = new StringBuilder();
    for (int l = 0; l < t.layerAccuracy().length; l++) {
      layers.append(String.format(Locale.ROOT, "%s%.4f", l == 0 ? "" : " ", t.layerAccuracy()[l]));
    }
    return String.format(Locale.ROOT, "  recipe %-60s worst layer drop %+.2f points, last-layer agreement %.4f, "
        + "accuracy by layer %s%s", t.recipe().describe(), 100 * t.worstDrop(), t.lastLayerAgreement(), layers,
        t.passes() ? "  -> passes" : "");
  }
}
