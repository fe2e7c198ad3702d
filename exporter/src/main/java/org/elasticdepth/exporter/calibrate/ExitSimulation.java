package org.elasticdepth.exporter.calibrate;

import org.elasticdepth.runtime.ExitMath;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

import java.util.Arrays;

/**
 * Early exit with one confidence threshold, simulated from every layer's softmax: a sample exits at the first layer
 * whose maximum class probability reaches the threshold, or at the last layer.
 */
public final class ExitSimulation {

    /**
     * @param threshold          the threshold simulated
     * @param exitCounts         m_i: samples exiting at layer i (index 0 = layer 1)
     * @param accuracy           accuracy of the prediction made at each sample's exit
     * @param meanExitLayer      mean 1-based exit layer
     * @param speedUp            {@link #speedUp(long[])}
     * @param accuracyByDepthCap accuracy when the depth is also capped at d (index d-1): samples that have not exited
     *                           by layer d answer with layer d's prediction
     * @param disagreements      samples whose exit prediction differs from the full-depth prediction (the loss of the
     *                           guaranteed calibration, see {@link Calibrator})
     */
    public record Outcome(double threshold, long[] exitCounts, double accuracy, double meanExitLayer, double speedUp,
                          double[] accuracyByDepthCap, int disagreements) {
        /** The frontier point with exit histogram and capped accuracies (no loss bound). */
        public FrontierPoint toFrontierPoint() {
            return new FrontierPoint(threshold, accuracy, meanExitLayer, speedUp,
                    Arrays.stream(exitCounts).boxed().toList(), Arrays.stream(accuracyByDepthCap).boxed().toList(), null);
        }
    }

    private ExitSimulation() {
    }

    /**
     * @param probabilities {@code [L][n][C]} softmax outputs of each layer's exit
     * @param labels        {@code [n]} true classes
     */
    public static Outcome simulate(float[][][] probabilities, int[] labels, double threshold) {
        if (probabilities.length == 0 || labels.length == 0) {
            throw new IllegalArgumentException("nothing to simulate: " + probabilities.length + " layers, "
                    + labels.length + " samples");
        }
        return simulate(LayerPredictions.of(probabilities, labels), threshold);
    }

    public static Outcome simulate(LayerPredictions outputs, double threshold) {
        int layers = outputs.layers();
        int n = outputs.size();
        if (n == 0) {
            throw new IllegalArgumentException("nothing to simulate: " + layers + " layers, 0 samples");
        }
        int[][] predicted = outputs.predicted();
        float[][] confidence = outputs.confidence();
        int[] labels = outputs.labels();
        long[] counts = new long[layers];
        long[] cappedCorrect = new long[layers];
        long correct = 0;
        long exitLayerSum = 0;
        int disagreements = 0;
        for (int i = 0; i < n; i++) {
            int exit = exitLayer(confidence, i, threshold);
            counts[exit]++;
            exitLayerSum += exit + 1;
            if (predicted[exit][i] == labels[i]) {
                correct++;
            }
            if (predicted[exit][i] != predicted[layers - 1][i]) {
                disagreements++;
            }
            for (int cap = 0; cap < layers; cap++) {
                if (predicted[Math.min(exit, cap)][i] == labels[i]) {
                    cappedCorrect[cap]++;
                }
            }
        }
        double[] cappedAccuracy = new double[layers];
        for (int cap = 0; cap < layers; cap++) {
            cappedAccuracy[cap] = (double) cappedCorrect[cap] / n;
        }
        return new Outcome(threshold, counts, (double) correct / n, (double) exitLayerSum / n, speedUp(counts),
                cappedAccuracy, disagreements);
    }

    /** The 0-based layer where sample {@code i} exits at {@code threshold}. */
    static int exitLayer(float[][] confidence, int i, double threshold) {
        for (int l = 0; l < confidence.length; l++) {
            if (confidence[l][i] >= threshold) {
                return l;
            }
        }
        return confidence.length - 1;
    }

    /**
     * The paper's speed-up ratio sum_i(L * m_i) / sum_i(i * m_i): full-depth cost over early-exit cost, where m_i
     * samples exit at layer i (1-based) of L.
     */
    public static double speedUp(long[] exitCounts) {
        double speedUp = ExitMath.speedUp(exitCounts);
        if (Double.isNaN(speedUp)) {
            throw new IllegalArgumentException("speed-up of an empty exit histogram");
        }
        return speedUp;
    }

    static float max(float[] values) {
        float best = values[0];
        for (float v : values) {
            best = Math.max(best, v);
        }
        return best;
    }

    static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
