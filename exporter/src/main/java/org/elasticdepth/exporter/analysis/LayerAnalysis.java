package org.elasticdepth.exporter.analysis;

import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.ExitSimulation;
import org.elasticdepth.exporter.calibrate.MinimalDepths;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.exporter.train.Evaluation;

import java.util.ArrayList;
import java.util.List;

/**
 * The paper's layer-wise analysis of one model on the test split: exit accuracy per layer, COS and linear CKA of
 * every layer against the last and for every pair, and the early-exit histogram and speed-up at a threshold.
 */
public final class LayerAnalysis {

    /** The numbers, plus the per-sample cosines the box plot draws. */
    public record Result(AnalysisResult numbers, double[][] cosToLastSamples) {
    }

    private LayerAnalysis() {
    }

    /** What is analysed: see the fields of the same names in {@link AnalysisResult}. */
    public record Run(String run, String mode, long seed, int epochs, String model, String data) {
    }

    /**
     * @param outputs            the model's outputs on the test split
     * @param validationAccuracy exit accuracy per layer on the validation split, which chooses the minimal depths
     */
    public static Result analyze(Run run, Evaluation.SetOutputs outputs, double threshold, String thresholdSource,
                                 double[] validationAccuracy) {
        int layers = outputs.layers();
        if (validationAccuracy.length != layers) {
            throw new IllegalArgumentException("validation accuracy has " + validationAccuracy.length
                    + " layers, the test outputs " + layers);
        }
        double[][][] centred = new double[layers][][];
        for (int l = 0; l < layers; l++) {
            centred[l] = Similarity.centred(outputs.features()[l]);
        }
        double[][] cosPairs = new double[layers][layers];
        double[][] ckaPairs = new double[layers][layers];
        double[][] cosToLastSamples = new double[layers][];
        for (int a = 0; a < layers; a++) {
            for (int b = a; b < layers; b++) {
                double[] cos = Similarity.sampleCosines(centred[a], centred[b]);
                if (b == layers - 1) {
                    cosToLastSamples[a] = cos;
                }
                cosPairs[a][b] = cosPairs[b][a] = Similarity.mean(cos);
                ckaPairs[a][b] = ckaPairs[b][a] = Similarity.linearCka(centred[a], centred[b]);
            }
        }
        double[] cosToLast = new double[layers];
        double[] ckaToLast = new double[layers];
        List<BoxStats> distribution = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            cosToLast[l] = cosPairs[l][layers - 1];
            ckaToLast[l] = ckaPairs[l][layers - 1];
            distribution.add(BoxStats.of(cosToLastSamples[l]));
        }
        ExitSimulation.Outcome exit = ExitSimulation.simulate(outputs.probabilities(), outputs.labels(), threshold);
        List<FrontierPoint> frontier = new ArrayList<>();
        for (double t : Calibrator.defaultThresholds()) {
            frontier.add(ExitSimulation.simulate(outputs.probabilities(), outputs.labels(), t).toFrontierPoint());
        }
        double[] testAccuracy = outputs.layerAccuracy();
        List<AnalysisResult.MinimalDepth> minimalDepths = new ArrayList<>();
        for (BundleManifest.MinimalDepth d : MinimalDepths.of(validationAccuracy)) {
            minimalDepths.add(new AnalysisResult.MinimalDepth(d.accuracyDrop(), d.depth(),
                    validationAccuracy[d.depth() - 1], validationAccuracy[layers - 1], testAccuracy[d.depth() - 1],
                    testAccuracy[layers - 1]));
        }
        AnalysisResult numbers = new AnalysisResult(run.run(), run.mode(), run.seed(), run.epochs(), run.model(),
                run.data(), "test", outputs.size(), testAccuracy, minimalDepths, cosToLast, distribution, cosPairs,
                ckaToLast, ckaPairs, threshold, thresholdSource, exit.exitCounts(), exit.accuracy(),
                exit.meanExitLayer(), exit.speedUp(), frontier);
        return new Result(numbers, cosToLastSamples);
    }
}
