package org.elasticdepth.exporter.model;

/** How exits are classified: one head shared by every layer (the paper's method) or one head per layer. */
public enum HeadLayout {
    /** One LayerNorm + Linear head applied after every block; weights named {@code head.*}. */
    SHARED,
    /** A separate LayerNorm + Linear head after each block (the multi-exit baseline); named {@code head{l}.*}. */
    PER_LAYER;

    /** Weight-name prefix of the head that classifies layer {@code layer} (1-based). */
    public String prefix(int layer) {
        return this == SHARED ? "head" : "head" + layer;
    }
}
