package org.elasticdepth.exporter.calibrate;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses an exit threshold from validation outputs: sweeps max-softmax thresholds, keeps the accuracy / mean exit
 * layer / speed-up of each (the frontier), and picks the fastest threshold whose accuracy stays within the target
 * drop of full-depth accuracy.
 */
public final class Calibrator {

    private Calibrator() {
    }

    /** The default sweep: 0.30 to 0.95 by 0.05, then finer up to 0.999 where confident exits change fastest. */
    public static double[] defaultThresholds() {
        List<Double> t = new ArrayList<>();
        for (int i = 30; i <= 95; i += 5) {
            t.add(i / 100.0);
        }
        for (double v : new double[] {0.97, 0.98, 0.99, 0.995, 0.999}) {
            t.add(v);
        }
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * @param probabilities {@code [L][n][C]} validation softmax outputs of each layer's exit
     * @param labels        validation labels
     * @param targetDrop    accepted accuracy loss versus full depth, absolute (0.01 = one point)
     * @param thresholds    increasing thresholds in (0, 1]
     */
    public static Calibration calibrate(float[][][] probabilities, int[] labels, double targetDrop,
                                        double[] thresholds) {
        if (!(targetDrop >= 0 && targetDrop < 1)) {
            throw new IllegalArgumentException("target accuracy drop must be in [0, 1), got " + targetDrop);
        }
        if (thresholds.length == 0) {
            throw new IllegalArgumentException("no thresholds to sweep");
        }
        int layers = probabilities.length;
        double[] layerAccuracy = new double[layers];
        for (int l = 0; l < layers; l++) {
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                if (ExitSimulation.argMax(probabilities[l][i]) == labels[i]) {
                    correct++;
                }
            }
            layerAccuracy[l] = (double) correct / labels.length;
        }
        double full = layerAccuracy[layers - 1];
        List<FrontierPoint> frontier = new ArrayList<>();
        double previous = Double.NEGATIVE_INFINITY;
        for (double threshold : thresholds) {
            if (!(threshold > 0 && threshold <= 1) || threshold <= previous) {
                throw new IllegalArgumentException("thresholds must increase within (0, 1], got " + threshold);
            }
            previous = threshold;
            frontier.add(ExitSimulation.simulate(probabilities, labels, threshold).toFrontierPoint());
        }
        // never exiting early (threshold above 1) is always admissible: the full-depth fallback
        FrontierPoint chosen = new FrontierPoint(1.0, full, layers, 1.0);
        for (FrontierPoint p : frontier) {
            if (p.accuracy() >= full - targetDrop - 1e-12 && p.speedUp() > chosen.speedUp()) {
                chosen = p;
            }
        }
        return new Calibration("validation", labels.length, layerAccuracy, full, targetDrop, chosen, frontier);
    }
}
