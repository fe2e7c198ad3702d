package org.elasticdepth.exporter.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Quantization;
import org.elasticdepth.runtime.bundle.BundleManifest.Variant;
import org.elasticdepth.runtime.bundle.Precision;

/**
 * The per-layer accuracy of each precision a bundle carries, from the bundle's own calibrations
 * (measured by the exporter on each precision's TFLite graphs), with each layer's drop against the
 * float graphs (fp32, else fp16): the table the analysis report adds beside the float model's.
 */
final class PrecisionAccuracy {
  private PrecisionAccuracy() {}

  /** The table: a header, then one row per precision (those without a calibration say so). */
  static List<List<String>> table(BundleManifest m) {
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("precision", "split"));
    for (int l = 1; l <= m.depth(); l++) {
      header.add("layer " + l);
    }
    header.addAll(List.of("worst drop vs " + reference(m).map(Precision::label).orElse("float") + " (points)",
        "calibrated threshold", "quantization"));
    rows.add(header);
    Calibration ref = reference(m).flatMap(m::variant).map(Variant::calibration).orElse(null);
    for (Precision p : m.precisions()) {
      Variant v = m.variant(p).orElseThrow();
      Calibration c = v.calibration();
      List<String> row = new ArrayList<>(List.of(p.label(), c == null ? "-" : c.split()));
      for (int l = 0; l < m.depth(); l++) {
        row.add(c == null ? "-" : String.format(Locale.ROOT, "%.4f", c.layerAccuracy().get(l)));
      }
      row.add(c == null || ref == null ? "-" : String.format(Locale.ROOT, "%.2f", 100 * worstDrop(ref, c)));
      row.add(c == null ? "no calibration" : String.format(Locale.ROOT, "%.3f", c.recommendedThreshold()));
      row.add(describe(v.quantization()));
      rows.add(row);
    }
    return rows;
  }

  /** The largest per-layer drop of {@code c} below {@code ref}, as a fraction (negative: never below). */
  static double worstDrop(Calibration ref, Calibration c) {
    double worst = Double.NEGATIVE_INFINITY;
    for (int l = 0; l < c.layerAccuracy().size(); l++) {
      worst = Math.max(worst, ref.layerAccuracy().get(l) - c.layerAccuracy().get(l));
    }
    return worst;
  }

  /** The float precision others are compared with: fp32, else fp16, when it has a calibration. */
  private static java.util.Optional<Precision> reference(BundleManifest m) {
    for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
      if (m.has(p) && m.variant(p).orElseThrow().calibration() != null) {
        return java.util.Optional.of(p);
      }
    }
    return java.util.Optional.empty();
  }

  private static String describe(Quantization q) {
    if (q == null) {
      return "-";
    }
    String islands = (q.int16Ops().isEmpty() ? "" : "; int16: " + String.join(", ", q.int16Ops()))
        + (q.floatOps().isEmpty() ? "" : "; float: " + String.join(", ", q.floatOps()));
    return q.calibrationImages() + " calibration images" + islands;
  }
}
