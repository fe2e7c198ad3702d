package org.elasticdepth.runtime;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.spi.Accelerator;

/**
 * Serves each accelerator the precision it is built for: the GPU delegate computes in fp16
 * anyway, so fp16 weights (half the upload) else fp32; NPUs behind NNAPI and XNNPACK's integer
 * kernels run int8, taken when the bundle's own measurements say it costs at most the accuracy the
 * user accepts ({@link ElasticClassifier.Options.Builder#setAcceptedQuantizationDrop}), else the
 * float graphs. A precision the user names is taken as is, or refused when the bundle lacks it.
 *
 * <p>The accuracy cost of int8 is the largest per-layer drop of its calibration's layer accuracy
 * against the float graphs' (fp32, else fp16), both measured by the exporter on the same
 * validation images; without both calibrations it is unknown and int8 is not chosen by itself.
 */
final class PrecisionPolicy {
  private PrecisionPolicy() {}

  /**
   * @param requested the precision the user asked for, or null to choose per accelerator
   * @param acceptedDrop the largest per-layer accuracy drop accepted for int8, as a fraction
   * @throws BundleException {@link Problem#MISSING_PRECISION} if {@code requested} is not in the bundle
   */
  static PrecisionChoice choose(BundleManifest manifest, Accelerator accelerator, Precision requested, double acceptedDrop) {
    List<Precision> available = manifest.precisions();
    double int8Drop = int8Drop(manifest);
    if (requested != null) {
      if (!available.contains(requested)) {
        throw new BundleException(Problem.MISSING_PRECISION, "the options ask for " + requested.label()
            + " graphs but the bundle carries " + BundleManifest.labels(available));
      }
      return new PrecisionChoice(requested, accelerator, drop(requested, int8Drop), "asked for in the options");
    }
    if (available.size() == 1) {
      Precision only = available.get(0);
      return new PrecisionChoice(only, accelerator, drop(only, int8Drop), "the only precision in the bundle");
    }
    boolean int8Accepted = available.contains(Precision.INT8) && int8Drop <= acceptedDrop + 1e-12;
    String int8Verdict = int8Verdict(available, int8Drop, acceptedDrop);
    switch (accelerator) {
      case GPU:
        if (available.contains(Precision.FP16)) {
          return new PrecisionChoice(Precision.FP16, accelerator, 0, "the GPU computes in fp16; fp16 weights halve its upload");
        }
        if (available.contains(Precision.FP32)) {
          return new PrecisionChoice(Precision.FP32, accelerator, 0, "no fp16 graphs; the GPU delegate runs fp32 graphs");
        }
        return new PrecisionChoice(Precision.INT8, accelerator, int8Drop, "no float graphs in the bundle");
      case NNAPI:
        if (int8Accepted) {
          return new PrecisionChoice(Precision.INT8, accelerator, int8Drop, "NPUs run integer graphs; " + int8Verdict);
        }
        return floatChoice(available, accelerator, int8Verdict);
      case CPU:
      default:
        if (int8Accepted) {
          return new PrecisionChoice(Precision.INT8, accelerator, int8Drop,
              "int8 weights are a quarter of fp32's and run on integer kernels; " + int8Verdict);
        }
        return floatChoice(available, accelerator, int8Verdict);
    }
  }

  /** fp32, else fp16, else int8 (whatever its cost: nothing else is there). */
  private static PrecisionChoice floatChoice(List<Precision> available, Accelerator accelerator, String int8Verdict) {
    for (Precision p : new Precision[] {Precision.FP32, Precision.FP16}) {
      if (available.contains(p)) {
        return new PrecisionChoice(p, accelerator, 0, int8Verdict);
      }
    }
    return new PrecisionChoice(Precision.INT8, accelerator, Double.NaN, "no float graphs in the bundle");
  }

  private static String int8Verdict(List<Precision> available, double drop, double accepted) {
    if (!available.contains(Precision.INT8)) {
      return "the bundle has no int8 graphs";
    }
    if (Double.isNaN(drop)) {
      return "int8's accuracy cost is unknown (the bundle lacks a calibration to compare)";
    }
    return String.format(Locale.ROOT, "int8 loses %.2f points at worst (accepted: %.2f)", 100 * Math.max(0, drop),
        100 * accepted) + (drop <= accepted + 1e-12 ? "" : ", too much");
  }

  private static double drop(Precision p, double int8Drop) {
    return p == Precision.INT8 ? int8Drop : 0;
  }

  /**
   * The largest per-layer accuracy drop of the int8 graphs against the float graphs (fp32, else
   * fp16), or NaN when the bundle has no int8 graphs or either calibration is missing.
   */
  static double int8Drop(BundleManifest manifest) {
    // Plain Optional calls only: or() and isEmpty() are newer than Android API 24.
    Calibration int8 = calibration(manifest, Precision.INT8);
    Calibration reference = manifest.has(Precision.FP32) ? calibration(manifest, Precision.FP32)
        : calibration(manifest, Precision.FP16);
    if (int8 == null || reference == null) {
      return Double.NaN;
    }
    List<Double> q = int8.layerAccuracy();
    List<Double> f = reference.layerAccuracy();
    double worst = Double.NEGATIVE_INFINITY;
    for (int l = 0; l < q.size(); l++) {
      worst = Math.max(worst, f.get(l) - q.get(l));
    }
    return worst;
  }

  private static Calibration calibration(BundleManifest manifest, Precision precision) {
    Optional<BundleManifest.Variant> v = manifest.variant(precision);
    return v.isPresent() ? v.get().calibration() : null;
  }
}
