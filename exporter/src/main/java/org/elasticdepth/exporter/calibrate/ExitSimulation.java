package org.elasticdepth.exporter.calibrate;

import org.elasticdepth.runtime.ExitMath;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;

/**
 * Early exit with one confidence threshold, simulated from every layer's softmax: a sample exits at the first layer
 * whose maximum class probability reaches the threshold, or at the last layer.
 */
public final class ExitSimulation {

    /**
     * @param threshold     the threshold simulated
     * @param exitCounts    m_i: samples exiting at layer i (index 0 = layer 1)
     * @param accuracy      accuracy of the prediction made at each sample's exit
     * @param meanExitLayer mean 1-based exit layer
     * @param speedUp       {@link #speedUp(long[])}
     */
    public record Outcome(double threshold, long[] exitCounts, double accuracy, double meanExitLayer, double speedUp) {
        public FrontierPoint toFrontierPoint() {
            return new FrontierPoint(threshold, accuracy, meanExitLayer, speedUp);
        }
    }

    private ExitSimulation() {
    }

    /**
     * @param probabilities {@code [L][n][C]} softmax outputs of each layer's exit
     * @param labels        {@code [n]} true classes
     */
    public static Outcome simulate(float[][][] probabilities, int[] labels, double threshold) {
        int layers = probabilities.length;
        int n = labels.length;
        if (layers == 0 || n == 0) {
            throw new IllegalArgumentException("nothing to simulate: " + layers + " layers, " + n + " samples");
        }
        long[] counts = new long[layers];
        long correct = 0;
        long exitLayerSum = 0;
        for (int i = 0; i < n; i++) {
            int exit = layers - 1;
            for (int l = 0; l < layers; l++) {
                if (max(probabilities[l][i]) >= threshold) {
                    exit = l;
                    break;
                }
            }
            counts[exit]++;
            exitLayerSum += exit + 1;
            if (argMax(probabilities[exit][i]) == labels[i]) {
                correct++;
            }
        }
        return new Outcome(threshold, counts, (double) correct / n, (double) exitLayerSum / n, speedUp(counts));
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
