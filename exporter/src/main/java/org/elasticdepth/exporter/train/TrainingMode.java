package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.model.HeadLayout;

import java.util.Locale;

/** The training objectives: the paper's method and its baselines. */
public enum TrainingMode {
    /** Cross-entropy of the shared head at the last layer only (the usual ViT). */
    STANDARD,
    /**
     * The paper's aligned training (eq. 3): sum over layers of lambda_l * CE(head(h_l), y), lambda_l = 2l/(L(L+1)),
     * alternating with last-layer CE steps (Appendix C) unless aligned-only is chosen.
     */
    ALIGNED,
    /** Multi-exit baseline: a separate head per layer, trained with the same lambda-weighted sum every step. */
    MULTIHEAD,
    /** Last-layer CE + beta * sum_l lambda_l (1 - cos(h_l, h_L)): the appendix's cosine-regularised alternative. */
    COSREG;

    public HeadLayout headLayout() {
        return this == MULTIHEAD ? HeadLayout.PER_LAYER : HeadLayout.SHARED;
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TrainingMode parse(String text) {
        for (TrainingMode mode : values()) {
            if (mode.cliName().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown training mode '" + text
                + "' (use standard, aligned, multihead or cosreg)");
    }
}
