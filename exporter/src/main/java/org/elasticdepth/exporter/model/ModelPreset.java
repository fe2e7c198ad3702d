package org.elasticdepth.exporter.model;

import java.util.Locale;

/**
 * Named real-size architectures (timm's DeiT shapes: 224x224x3, patch 16, 12 blocks, MLP 4x, LayerNorm eps 1e-6), so
 * {@code train --preset deit-tiny} builds a model whose weights {@code import} can fill from a timm checkpoint.
 */
public enum ModelPreset {
    DEIT_TINY("deit-tiny", 192, 3),
    DEIT_SMALL("deit-small", 384, 6);

    private final String cliName;
    private final int dim;
    private final int heads;

    ModelPreset(String cliName, int dim, int heads) {
        this.cliName = cliName;
        this.dim = dim;
        this.heads = heads;
    }

    public String cliName() {
        return cliName;
    }

    /** The architecture with {@code numClasses} classes (the number comes from the data). */
    public VitConfig config(int numClasses) {
        return new VitConfig(224, 3, 16, dim, 12, heads, 4 * dim, numClasses, 0f, 1e-6f);
    }

    public static ModelPreset parse(String text) {
        for (ModelPreset preset : values()) {
            if (preset.cliName.equalsIgnoreCase(text.trim())) {
                return preset;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + text + "' (use deit-tiny or deit-small)");
    }

    /** Weights of one block: qkv, proj, fc1, fc2 with biases, two LayerNorms. */
    public static long blockParameters(VitConfig c) {
        long d = c.dim();
        long m = c.mlpDim();
        return 4 * d * d + 2 * d * m + (3 * d + d + m + d) + 4 * d;
    }

    /**
     * FLOPs of one block as the manifest counts them: 2 x multiply-adds of its matrix products (the four Linears over
     * every token, and q k^T and attention x v), nothing for LayerNorm, softmax, GELU or the residual adds.
     */
    public static long blockFlops(VitConfig c) {
        long t = c.tokens();
        long d = c.dim();
        long m = c.mlpDim();
        return 2 * t * (d * 3 * d + d * d + 2 * d * m) + 4 * t * t * d;
    }

    /** One line for --help and logs, e.g. "deit-tiny: 224x224x3, patch 16, width 192, ...". */
    public String describe() {
        VitConfig c = config(1000);
        return String.format(Locale.ROOT, "%s: %dx%dx3, patch %d (%d tokens), width %d, %d blocks, %d heads, MLP %d; "
                        + "%.3f M parameters and %.1f MFLOPs per block", cliName, c.imageSize(), c.imageSize(),
                c.patchSize(), c.tokens(), c.dim(), c.depth(), c.heads(), c.mlpDim(), blockParameters(c) / 1e6,
                blockFlops(c) / 1e6);
    }
}
