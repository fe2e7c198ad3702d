package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.elasticdepth.exporter.verify.DjlReference;
import org.elasticdepth.exporter.verify.LayerwiseReference;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Logits another framework computed for fixed images: a safetensors file with {@code images} [B, C, S, S]
 * (normalised NCHW float32) and {@code logits} [L, B, classes] (the shared head after each block), as
 * {@code exporter/src/test/python/timm_checkpoint.py} writes it. Used by {@code verify --reference}.
 */
public final class ReferenceLogits implements LayerwiseReference {
    private final float[] imagesNhwc;
    private final float[][][] logits;
    private final int imageSize;
    private final int channels;

    private ReferenceLogits(float[] imagesNhwc, float[][][] logits, int imageSize, int channels) {
        this.imagesNhwc = imagesNhwc;
        this.logits = logits;
        this.imageSize = imageSize;
        this.channels = channels;
    }

    /** @throws ImportException if the file lacks {@code images} or {@code logits} or their shapes disagree */
    public static ReferenceLogits read(Path file) throws ImportException {
        Map<String, Tensor> tensors = TimmLayout.read(file);
        Tensor images = tensors.get("images");
        Tensor logits = tensors.get("logits");
        if (images == null || logits == null) {
            throw new ImportException(file + ": a reference file needs tensors 'images' [B, C, S, S] and 'logits' "
                    + "[L, B, classes], it has " + tensors.keySet());
        }
        long[] is = images.shape();
        long[] ls = logits.shape();
        if (is.length != 4 || is[2] != is[3] || ls.length != 3 || ls[1] != is[0]) {
            throw new ImportException(file + ": tensor 'images' " + Arrays.toString(is) + " and 'logits' "
                    + Arrays.toString(ls) + " do not fit [B, C, S, S] and [L, B, classes]");
        }
        int batch = (int) is[0];
        int layers = (int) ls[0];
        int classes = (int) ls[2];
        float[][][] z = new float[layers][batch][classes];
        for (int l = 0; l < layers; l++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(logits.values(), (l * batch + b) * classes, z[l][b], 0, classes);
            }
        }
        return new ReferenceLogits(DjlReference.toNhwc(images.values(), batch, (int) is[2], (int) is[1]), z,
                (int) is[2], (int) is[1]);
    }

    public int images() {
        return logits[0].length;
    }

    public int layers() {
        return logits.length;
    }

    public int imageSize() {
        return imageSize;
    }

    public int channels() {
        return channels;
    }

    /** The images, normalised NHWC, one after the other. */
    public float[] imagesNhwc() {
        return imagesNhwc.clone();
    }

    /** The stored logits of the first {@code batch} images; {@code imagesNhwc} must be (a prefix of) this file's. */
    @Override
    public float[][][] layerLogits(float[] imagesNhwc, int batch) {
        if (batch > images() || !Arrays.equals(imagesNhwc, 0, imagesNhwc.length, this.imagesNhwc, 0,
                imagesNhwc.length)) {
            throw new IllegalArgumentException("reference logits exist only for the reference file's own images");
        }
        float[][][] out = new float[logits.length][][];
        for (int l = 0; l < logits.length; l++) {
            out[l] = Arrays.copyOf(logits[l], batch);
        }
        return out;
    }
}
