package org.elasticdepth.exporter.analysis;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

import java.util.List;

/**
 * Every number of one run's analysis ({@code RUN_DIR/analysis.json}); layer index 0 is layer 1 throughout. Nothing in
 * it names a folder of the machine that wrote it, so the file reads the same everywhere.
 *
 * @param run              the run directory relative to the folder of the JSON file ("." for the run's own
 *                         analysis.json, "../aligned" beside a comparison), or only its name when it lies elsewhere
 * @param mode             training mode
 * @param seed             training seed
 * @param epochs           epochs of the analysed checkpoint
 * @param model            the model's shape, e.g. "ViT 28x28x1, patch 7 (17 tokens), dim 64, 6 blocks, ..."
 * @param data             the data set and its split, as the run's config describes it
 * @param split            always {@code "test"}
 * @param samples          test images used
 * @param layerAccuracy    exit accuracy per layer (the shared head; head l for a multihead model)
 * @param minimalDepth     the smallest depth within 0.5 and 1 point of full depth, chosen on validation, reported on
 *                         test
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
public record AnalysisResult(String run, String mode, long seed, int epochs, String model, String data, String split,
                             int samples, double[] layerAccuracy, List<MinimalDepth> minimalDepth,
                             double[] cosToLast, List<BoxStats> cosDistribution, double[][] cosPairs,
                             double[] ckaToLast, double[][] ckaPairs, double exitThreshold, String thresholdSource,
                             long[] exitCounts, double exitAccuracy, double meanExitLayer, double speedUp,
                             List<FrontierPoint> testFrontier) {

    /**
     * The task's minimal depth for one accuracy drop: {@code depth} is the smallest layer whose validation accuracy is
     * within {@code accuracyDrop} of full depth; the test accuracies report what it costs on unseen images.
     */
    public record MinimalDepth(double accuracyDrop, int depth, double validationAccuracy,
                               double validationFullDepthAccuracy, double testAccuracy, double testFullDepthAccuracy) {
    }

    /** The same numbers naming the run as {@code run} (see {@link #run()}). */
    public AnalysisResult withRun(String run) {
        return new AnalysisResult(run, mode, seed, epochs, model, data, split, samples, layerAccuracy, minimalDepth,
                cosToLast, cosDistribution, cosPairs, ckaToLast, ckaPairs, exitThreshold, thresholdSource, exitCounts,
                exitAccuracy, meanExitLayer, speedUp, testFrontier);
    }
}
