package org.elasticdepth.exporter.analysis;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

import java.util.List;

/**
 * Every number of one run's analysis ({@code RUN_DIR/analysis.json}); layer index 0 is layer 1 throughout.
 *
 * @param run              run directory
 * @param mode             training mode
 * @param epochs           epochs of the analysed checkpoint
 * @param split            always {@code "test"}
 * @param samples          test images used
 * @param layerAccuracy    exit accuracy per layer (the shared head; head l for a multihead model)
 * @param cosToLast        mean sample-wise COS (centred features) of each layer vs the last
 * @param cosDistribution  distribution of the per-sample COS of each layer vs the last
 * @param cosPairs         mean COS of every pair of layers [L][L]
 * @param ckaToLast        linear CKA of each layer vs the last
 * @param ckaPairs         linear CKA of every pair [L][L]
 * @param exitThreshold    max-softmax threshold of the exit histogram
 * @param thresholdSource  {@code calibration} (the run's chosen threshold) or {@code option}
 * @param exitCounts       m_i: test samples exiting at layer i
 * @param exitAccuracy     accuracy with early exit at that threshold
 * @param meanExitLayer    mean exit layer at that threshold
 * @param speedUp          sum(L m_i) / sum(i m_i) at that threshold
 * @param testFrontier     accuracy / mean exit / speed-up over the calibration sweep, measured on the test split
 *                         (reported only; thresholds are chosen on validation)
 */
public record AnalysisResult(String run, String mode, int epochs, String split, int samples, double[] layerAccuracy,
                             double[] cosToLast, List<BoxStats> cosDistribution, double[][] cosPairs,
                             double[] ckaToLast, double[][] ckaPairs, double exitThreshold, String thresholdSource,
                             long[] exitCounts, double exitAccuracy, double meanExitLayer, double speedUp,
                             List<FrontierPoint> testFrontier) {
}
