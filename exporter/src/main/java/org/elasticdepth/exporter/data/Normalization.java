package org.elasticdepth.exporter.data;

import java.util.Arrays;

/**
 * Per-channel input normalisation: a model sees {@code (pixel / 255 - mean[c]) / std[c]}.
 * Computed once from the training split and stored with the run, so export and inference reproduce it.
 */
public record Normalization(float[] mean, float[] std) {

    public Normalization {
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("normalisation std must be positive, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The normalised value of an 8-bit pixel of channel {@code c}. */
    public float apply(int pixel, int channel) {
        return (pixel / 255f - mean[channel]) / std[channel];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
