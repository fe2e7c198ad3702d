package org.elasticdepth.exporter.data;

import java.util.Arrays;
import java.util.List;

/**
 * An in-memory labelled image set: 8-bit pixels, CHW per image, square images of one size and channel count.
 * Kept as bytes (a quarter of the floats' memory); normalised to floats a batch at a time.
 * Immutable; safe to share between threads.
 */
public final class ImageSet {
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int imageSize;
    private final List<String> classes;

    /**
     * @param pixels    {@code labels.length * channels * imageSize * imageSize} bytes, image-major CHW
     * @param labels    class index of each image, in [0, classes.size())
     * @param classes   class names, index = label
     */
    public ImageSet(byte[] pixels, int[] labels, int channels, int imageSize, List<String> classes) {
        if ((long) labels.length * channels * imageSize * imageSize != pixels.length) {
            throw new IllegalArgumentException("pixel count " + pixels.length + " does not match " + labels.length
                    + " images of " + channels + "x" + imageSize + "x" + imageSize);
        }
        for (int label : labels) {
            if (label < 0 || label >= classes.size()) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + classes.size() + ")");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.imageSize = imageSize;
        this.classes = List.copyOf(classes);
    }

    public int size() {
        return labels.length;
    }

    public int channels() {
        return channels;
    }

    public int imageSize() {
        return imageSize;
    }

    /** Bytes per image (C * S * S). */
    public int imageBytes() {
        return channels * imageSize * imageSize;
    }

    public List<String> classes() {
        return classes;
    }

    public int label(int index) {
        return labels[index];
    }

    public int[] labels() {
        return labels.clone();
    }

    /** Copies image {@code index}'s pixels (0..255 as unsigned bytes, CHW) into {@code out} at {@code offset}. */
    public void copyPixels(int index, byte[] out, int offset) {
        System.arraycopy(pixels, index * imageBytes(), out, offset, imageBytes());
    }

    /** Unsigned pixel value. */
    public int pixel(int index, int channel, int y, int x) {
        return pixels[index * imageBytes() + (channel * imageSize + y) * imageSize + x] & 0xff;
    }

    /** The images at {@code indices}, in that order, as a new set. */
    public ImageSet subset(int[] indices) {
        int n = imageBytes();
        byte[] p = new byte[indices.length * n];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, p, i * n, n);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(p, l, channels, imageSize, classes);
    }

    /** The first {@code count} images (or all, if fewer). */
    public ImageSet head(int count) {
        int n = Math.min(count, size());
        int[] indices = new int[n];
        Arrays.setAll(indices, i -> i);
        return subset(indices);
    }

    /** Images {@code from .. to-1}, normalised, NCHW floats ready for {@code ElasticVit.infer}. */
    public float[] normalized(int from, int to, Normalization normalization) {
        checkChannels(normalization);
        int n = imageBytes();
        int plane = imageSize * imageSize;
        float[] out = new float[(to - from) * n];
        for (int i = from; i < to; i++) {
            int base = i * n;
            int o = (i - from) * n;
            for (int j = 0; j < n; j++) {
                out[o + j] = normalization.apply(pixels[base + j] & 0xff, j / plane);
            }
        }
        return out;
    }

    /** Labels {@code from .. to-1}. */
    public int[] labels(int from, int to) {
        return Arrays.copyOfRange(labels, from, to);
    }

    /** Per-channel mean and standard deviation of the pixels / 255 (the training split's normalisation). */
    public Normalization statistics() {
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        int plane = imageSize * imageSize;
        for (int i = 0; i < pixels.length; i++) {
            int c = (i / plane) % channels;
            double v = (pixels[i] & 0xff) / 255.0;
            sum[c] += v;
            sumSq[c] += v * v;
        }
        long count = (long) size() * plane;
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            mean[c] = (float) m;
            std[c] = (float) Math.max(Math.sqrt(Math.max(sumSq[c] / count - m * m, 0)), 1e-3);
        }
        return new Normalization(mean, std);
    }

    private void checkChannels(Normalization normalization) {
        if (normalization.channels() != channels) {
            throw new IllegalArgumentException("normalisation has " + normalization.channels()
                    + " channels, the images have " + channels);
        }
    }
}
