package org.elasticdepth.exporter.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A labelled image set: 8-bit pixels, CHW per image, square images of one size and channel count. Either held in
 * memory (Fashion-MNIST: bytes, a quarter of the floats' memory) or streamed from image files (an image folder at
 * real size: only the paths are held, and each batch is decoded, centre-cropped or randomly resized-cropped, on
 * {@link PictureDecoder}'s threads). Normalised to floats a batch at a time. Immutable; safe to share between threads.
 */
public final class ImageSet {
    /** In-memory pixels, or null when streamed from {@link #files}. */
    private final byte[] pixels;
    /** Streamed: the image file of each index, or null when in memory. */
    private final List<Path> files;
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
        this.files = null;
        this.labels = labels;
        this.channels = channels;
        this.imageSize = imageSize;
        this.classes = List.copyOf(classes);
    }

    /** A set streamed from image files (decoded when used); {@code files.get(i)} has label {@code labels[i]}. */
    public static ImageSet streamed(List<Path> files, int[] labels, int channels, int imageSize, List<String> classes) {
        return new ImageSet(files, labels, channels, imageSize, classes);
    }

    private ImageSet(List<Path> files, int[] labels, int channels, int imageSize, List<String> classes) {
        if (files.size() != labels.length) {
            throw new IllegalArgumentException(files.size() + " files for " + labels.length + " labels");
        }
        for (int label : labels) {
            if (label < 0 || label >= classes.size()) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + classes.size() + ")");
            }
        }
        this.pixels = null;
        this.files = List.copyOf(files);
        this.labels = labels;
        this.channels = channels;
        this.imageSize = imageSize;
        this.classes = List.copyOf(classes);
    }

    /** True if the images are decoded from files when used (nothing but paths held in memory). */
    public boolean isStreamed() {
        return files != null;
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
        if (files != null) {
            PictureDecoder.toChw(PictureDecoder.decode(files.get(index)), imageSize, channels, null, out, offset);
            return;
        }
        System.arraycopy(pixels, index * imageBytes(), out, offset, imageBytes());
    }

    /**
     * Copies the images at {@code indices} into consecutive CHW slots of {@code out}, decoding streamed ones on
     * several threads. With {@code cropSeeds} (streamed sets only), image i is a random resized crop drawn from
     * {@code cropSeeds[i]} instead of the centre crop.
     */
    public void copyBatch(int[] indices, long[] cropSeeds, byte[] out) {
        if (files != null) {
            List<Path> batch = new ArrayList<>(indices.length);
            for (int index : indices) {
                batch.add(files.get(index));
            }
            PictureDecoder.decodeAll(batch, cropSeeds, imageSize, channels, out);
            return;
        }
        if (cropSeeds != null) {
            throw new IllegalArgumentException("random resized crops need the original pictures: an image folder");
        }
        for (int i = 0; i < indices.length; i++) {
            copyPixels(indices[i], out, i * imageBytes());
        }
    }

    /** Unsigned pixel value. */
    public int pixel(int index, int channel, int y, int x) {
        if (files != null) {
            byte[] one = new byte[imageBytes()];
            copyPixels(index, one, 0);
            return one[(channel * imageSize + y) * imageSize + x] & 0xff;
        }
        return pixels[index * imageBytes() + (channel * imageSize + y) * imageSize + x] & 0xff;
    }

    /** The images at {@code indices}, in that order, as a new set. */
    public ImageSet subset(int[] indices) {
        if (files != null) {
            List<Path> f = new ArrayList<>(indices.length);
            int[] l = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                f.add(files.get(indices[i]));
                l[i] = labels[indices[i]];
            }
            return new ImageSet(f, l, channels, imageSize, classes);
        }
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
        byte[] raw = pixelRange(from, to);
        float[] out = new float[(to - from) * n];
        for (int j = 0; j < out.length; j++) {
            out[j] = normalization.apply(raw[j] & 0xff, (j % n) / plane);
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
        int chunk = 256; // streamed sets: one pass, a chunk of decoded images at a time
        for (int from = 0; from < size(); from += chunk) {
            byte[] raw = pixelRange(from, Math.min(size(), from + chunk));
            for (int i = 0; i < raw.length; i++) {
                int c = (i / plane) % channels;
                double v = (raw[i] & 0xff) / 255.0;
                sum[c] += v;
                sumSq[c] += v * v;
            }
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

    /** CHW bytes of images {@code from .. to-1}. */
    private byte[] pixelRange(int from, int to) {
        if (files == null) {
            return Arrays.copyOfRange(pixels, from * imageBytes(), to * imageBytes());
        }
        int[] indices = new int[to - from];
        Arrays.setAll(indices, i -> from + i);
        byte[] raw = new byte[indices.length * imageBytes()];
        copyBatch(indices, null, raw);
        return raw;
    }

    private void checkChannels(Normalization normalization) {
        if (normalization.channels() != channels) {
            throw new IllegalArgumentException("normalisation has " + normalization.channels()
                    + " channels, the images have " + channels);
        }
    }
}
