package org.elasticdepth.exporter.quantize;

import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.LayerPredictions;
import org.elasticdepth.exporter.export.TrainedModel;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;

/**
 * A precision's own exit calibration: the run's calibration settings (target drop, guarantee)
 * applied to that precision's validation layer predictions through TFLite, since quantization moves
 * the confidence distributions the thresholds are chosen on.
 */
public final class PrecisionCalibration {
  private PrecisionCalibration() {}

  /**
   * @param predictions this precision's validation layer predictions
   * @param settings    the run's (float) calibration whose target drop and guarantee are reused
   */
  public static Calibration calibrate(LayerPredictions predictions, Calibration settings) {
    Guarantee g = settings.guarantee();
    double target = settings.targetAccuracyDrop();
    // The run chose the certified threshold when it was calibrated with --max-drop.
    boolean required = g != null && g.threshold() != null && g.threshold() == settings.recommendedThreshold();
    Calibrator.GuaranteeRequest request = g == null
        ? new Calibrator.GuaranteeRequest(Math.max(target, 1e-6), Calibrator.DEFAULT_CONFIDENCE, false)
        : new Calibrator.GuaranteeRequest(g.maxLoss(), g.confidence(), required);
    double[] thresholds = settings.frontier().isEmpty() ? Calibrator.defaultThresholds()
        : settings.frontier().stream().mapToDouble(p -> p.threshold()).toArray();
    return TrainedModel.calibration(Calibrator.calibrate(predictions, target, thresholds, request));
  }
}
