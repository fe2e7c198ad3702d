package org.elasticdepth.exporter.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

/**
 * Shape of an elastic ViT: an immutable, validated description shared by training, analysis and export.
 *
 * <p>The architecture it describes (the contract the TFLite export reproduces op for op) is documented on
 * {@link ElasticVit}. {@code tokens()} = (imageSize / patchSize)^2 + 1 (the CLS token first).
 * {@code layerNormEps} is 1e-5 everywhere (DJL's and PyTorch's LayerNorm default).
 *
 * <p>JSON round trip: {@link #toJson()} / {@link #fromJson(String)} (gson; field names as the record components).
 *
 * @param imageSize   square input side in pixels
 * @param channels    input channels (1 = grey, 3 = RGB)
 * @param patchSize   patch side; must divide imageSize
 * @param dim         token width D
 * @param depth       number of transformer blocks L
 * @param heads       attention heads; must divide dim
 * @param mlpDim      hidden width of each block's MLP
 * @param numClasses  classes C of the exit head(s)
 * @param dropout     dropout after the position embedding, attention projection and MLP (training only)
 * @param layerNormEps epsilon of every LayerNorm
 */
public record VitConfig(int imageSize, int channels, int patchSize, int dim, int depth, int heads,
                        int mlpDim, int numClasses, float dropout, float layerNormEps) {

    /** The LayerNorm epsilon used everywhere (DJL / PyTorch default). */
    public static final float DEFAULT_LAYER_NORM_EPS = 1e-5f;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public VitConfig {
        require(imageSize > 0, "imageSize must be positive, got " + imageSize);
        require(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
        require(patchSize > 0 && imageSize % patchSize == 0,
                "patchSize " + patchSize + " must be positive and divide imageSize " + imageSize);
        require(dim > 0, "dim must be positive, got " + dim);
        require(depth > 0, "depth must be positive, got " + depth);
        require(heads > 0 && dim % heads == 0, "heads " + heads + " must be positive and divide dim " + dim);
        require(mlpDim > 0, "mlpDim must be positive, got " + mlpDim);
        require(numClasses >= 2, "numClasses must be at least 2, got " + numClasses);
        require(dropout >= 0f && dropout < 1f, "dropout must be in [0, 1), got " + dropout);
        require(layerNormEps > 0f, "layerNormEps must be positive, got " + layerNormEps);
    }

    /**
     * The default model: 28x28 grey images, 7x7 patches (16 + 1 tokens), width 64, 6 blocks, 4 heads, MLP 128,
     * 10 classes. Patch 7 rather than 4 because it trains three times faster on a shared 2-core CPU.
     */
    public static VitConfig fashionMnistDefault() {
        return new VitConfig(28, 1, 7, 64, 6, 4, 128, 10, 0f, DEFAULT_LAYER_NORM_EPS);
    }

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Number of patch tokens N. */
    public int patches() {
        return gridSize() * gridSize();
    }

    /** Sequence length N + 1 (CLS first). */
    public int tokens() {
        return patches() + 1;
    }

    /** Width of one attention head, dim / heads. */
    public int headDim() {
        return dim / heads;
    }

    /** Floats in one NCHW input image. */
    public int imageFloats() {
        return channels * imageSize * imageSize;
    }

    public VitConfig withNumClasses(int classes) {
        return new VitConfig(imageSize, channels, patchSize, dim, depth, heads, mlpDim, classes, dropout, layerNormEps);
    }

    public VitConfig withImage(int size, int imageChannels) {
        return new VitConfig(size, imageChannels, patchSize, dim, depth, heads, mlpDim, numClasses, dropout,
                layerNormEps);
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    /** Parses and validates; a malformed or invalid document raises {@link IllegalArgumentException}. */
    public static VitConfig fromJson(String json) {
        try {
            VitConfig parsed = GSON.fromJson(json, VitConfig.class);
            if (parsed == null) {
                throw new IllegalArgumentException("empty VitConfig JSON");
            }
            return parsed;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("malformed VitConfig JSON: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // gson wraps the compact constructor's validation error; surface the validation message
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), cause);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("VitConfig: " + message);
        }
    }
}
