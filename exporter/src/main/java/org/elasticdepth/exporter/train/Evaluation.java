package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.LayerOutputs;

/** Runs a model over an image set in inference mode and collects what analysis and calibration need. */
public final class Evaluation {
    private static final int BATCH = 500;

    /**
     * Per-layer outputs for a whole set.
     *
     * @param features      [L][n][D] CLS features
     * @param probabilities [L][n][C] softmax of each layer's exit logits
     * @param labels        [n] true classes
     */
    public record SetOutputs(float[][][] features, float[][][] probabilities, int[] labels) {
        public int layers() {
            return features.length;
        }

        public int size() {
            return labels.length;
        }

        /** Accuracy of every layer's exit (index 0 = layer 1). */
        public double[] layerAccuracy() {
            double[] accuracy = new double[layers()];
            for (int l = 0; l < layers(); l++) {
                int correct = 0;
                for (int i = 0; i < size(); i++) {
                    if (argMax(probabilities[l][i]) == labels[i]) {
                        correct++;
                    }
                }
                accuracy[l] = (double) correct / size();
            }
            return accuracy;
        }
    }

    private Evaluation() {
    }

    /** Runs {@code model} over {@code set} (normalised with {@code normalization}) in batches. */
    public static SetOutputs run(ElasticVit model, ImageSet set, Normalization normalization) {
        int layers = model.config().depth();
        int n = set.size();
        float[][][] features = new float[layers][n][];
        float[][][] probabilities = new float[layers][n][];
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            LayerOutputs out = model.infer(set.normalized(from, to, normalization), to - from);
            for (int l = 0; l < layers; l++) {
                for (int i = from; i < to; i++) {
                    features[l][i] = out.features()[l][i - from];
                    probabilities[l][i] = softmax(out.logits()[l][i - from]);
                }
            }
        }
        return new SetOutputs(features, probabilities, set.labels());
    }

    /** Numerically stable softmax. */
    public static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    public static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
