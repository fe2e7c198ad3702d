package org.elasticdepth.exporter.calibrate;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What early exit needs from a model's outputs on a labelled set: at every layer, each image's
 * predicted class (arg-max of the shared head) and confidence (max softmax probability). 30 bytes
 * per image for 6 layers instead of the full probabilities, so it can be cached and resampled.
 *
 * @param predicted  {@code [L][n]} class predicted at each layer
 * @param confidence {@code [L][n]} max softmax probability at each layer
 * @param labels     {@code [n]} true classes
 */
public record LayerPredictions(int[][] predicted, float[][] confidence, int[] labels) {
    private static final int MAGIC = 0x45445031; // "EDP1"

    public LayerPredictions {
        if (predicted.length == 0 || predicted.length != confidence.length) {
            throw new IllegalArgumentException("need the same number (> 0) of layers of predictions and confidences");
        }
        for (int l = 0; l < predicted.length; l++) {
            if (predicted[l].length != labels.length || confidence[l].length != labels.length) {
                throw new IllegalArgumentException("layer " + (l + 1) + " has " + predicted[l].length + " predictions and "
                        + confidence[l].length + " confidences for " + labels.length + " labels");
            }
        }
    }

    /** From {@code [L][n][C]} softmax outputs. */
    public static LayerPredictions of(float[][][] probabilities, int[] labels) {
        int layers = probabilities.length;
        int[][] predicted = new int[layers][labels.length];
        float[][] confidence = new float[layers][labels.length];
        for (int l = 0; l < layers; l++) {
            if (probabilities[l].length != labels.length) {
                throw new IllegalArgumentException("layer " + (l + 1) + " has " + probabilities[l].length
                        + " outputs for " + labels.length + " labels");
            }
            for (int i = 0; i < labels.length; i++) {
                predicted[l][i] = ExitSimulation.argMax(probabilities[l][i]);
                confidence[l][i] = probabilities[l][i][predicted[l][i]];
            }
        }
        return new LayerPredictions(predicted, confidence, labels);
    }

    public int layers() {
        return predicted.length;
    }

    public int size() {
        return labels.length;
    }

    /** These images and those of {@code other}, in that order. */
    public LayerPredictions concat(LayerPredictions other) {
        if (other.layers() != layers()) {
            throw new IllegalArgumentException("cannot join " + layers() + " layers with " + other.layers());
        }
        int n = size() + other.size();
        int[][] p = new int[layers()][n];
        float[][] c = new float[layers()][n];
        for (int l = 0; l < layers(); l++) {
            System.arraycopy(predicted[l], 0, p[l], 0, size());
            System.arraycopy(other.predicted[l], 0, p[l], size(), other.size());
            System.arraycopy(confidence[l], 0, c[l], 0, size());
            System.arraycopy(other.confidence[l], 0, c[l], size(), other.size());
        }
        int[] y = new int[n];
        System.arraycopy(labels, 0, y, 0, size());
        System.arraycopy(other.labels, 0, y, size(), other.size());
        return new LayerPredictions(p, c, y);
    }

    /** The images at {@code indices}, in that order. */
    public LayerPredictions subset(int[] indices) {
        int[][] p = new int[layers()][indices.length];
        float[][] c = new float[layers()][indices.length];
        int[] y = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            for (int l = 0; l < layers(); l++) {
                p[l][k] = predicted[l][i];
                c[l][k] = confidence[l][i];
            }
            y[k] = labels[i];
        }
        return new LayerPredictions(p, c, y);
    }

    /** Binary cache format: magic, L, n, labels, then per layer predictions and confidences. */
    public void write(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(MAGIC);
        data.writeInt(layers());
        data.writeInt(size());
        for (int y : labels) {
            data.writeInt(y);
        }
        for (int l = 0; l < layers(); l++) {
            for (int i = 0; i < size(); i++) {
                data.writeInt(predicted[l][i]);
                data.writeFloat(confidence[l][i]);
            }
        }
        data.flush();
    }

    /** @throws IOException if the stream is not a complete cache written by {@link #write} */
    public static LayerPredictions read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            if (data.readInt() != MAGIC) {
                throw new IOException("not a layer-predictions cache (bad magic)");
            }
            int layers = data.readInt();
            int n = data.readInt();
            if (layers < 1 || layers > 1024 || n < 1 || n > 10_000_000) {
                throw new IOException("implausible cache header: " + layers + " layers, " + n + " images");
            }
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = data.readInt();
            }
            int[][] p = new int[layers][n];
            float[][] c = new float[layers][n];
            for (int l = 0; l < layers; l++) {
                for (int i = 0; i < n; i++) {
                    p[l][i] = data.readInt();
                    c[l][i] = data.readFloat();
                }
            }
            if (data.read() != -1) {
                throw new IOException("trailing bytes after the cache");
            }
            return new LayerPredictions(p, c, labels);
        } catch (EOFException e) {
            throw new IOException("truncated layer-predictions cache", e);
        }
    }
}
