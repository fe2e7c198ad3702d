package org.elasticdepth.exporter.analysis;

import org.elasticdepth.exporter.calibrate.Calibrator;
import org.elasticdepth.exporter.calibrate.ExitSimulation;
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

    public static Result analyze(String run, String mode, int epochs, Evaluation.SetOutputs outputs,
                                 double threshold, String thresholdSource) {
        int layers = outputs.layers();
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
        AnalysisResult numbers = new AnalysisResult(run, mode, epochs, "test", outputs.size(),
                outputs.layerAccuracy(), cosToLast, distribution, cosPairs, ckaToLast, ckaPairs, threshold,
                thresholdSource, exit.exitCounts(), exit.accuracy(), exit.meanExitLayer(), exit.speedUp(), frontier);
        return new Result(numbers, cosToLastSamples);
    }
}
