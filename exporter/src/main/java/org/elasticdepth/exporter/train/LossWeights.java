package org.elasticdepth.exporter.train;

/** The paper's layer weights and its alternating schedule. */
public final class LossWeights {

    private LossWeights() {
    }

    /**
     * lambda_l = 2l / (L(L+1)) for l = 1..L (index l-1): deeper layers weigh more, and the weights sum to 1.
     */
    public static float[] lambdas(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be positive, got " + depth);
        }
        float[] lambdas = new float[depth];
        double norm = depth * (depth + 1.0);
        for (int l = 1; l <= depth; l++) {
            lambdas[l - 1] = (float) (2.0 * l / norm);
        }
        return lambdas;
    }

    /**
     * Whether optimisation step {@code step} (0-based, counted over the whole run) of an aligned run uses the
     * aligned loss. Appendix C alternates: even steps aligned, odd steps last-layer CE; aligned-only uses the
     * aligned loss on every step.
     */
    public static boolean isAlignedStep(long step, boolean alignedOnly) {
        return alignedOnly || step % 2 == 0;
    }
}
