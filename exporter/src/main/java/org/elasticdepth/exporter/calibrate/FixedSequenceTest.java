package org.elasticdepth.exporter.calibrate;

/**
 * Fixed-sequence testing over exit thresholds, the family-wise error control of Learn-then-Test (Angelopoulos,
 * Bates, Candes, Jordan, Lei: "Learn then Test: Calibrating Predictive Algorithms to Achieve Risk Control", 2021,
 * arXiv:2110.01052, section 4 "fixed sequence testing"). The loss of an early exit can only grow as the threshold
 * loosens (more images leave early), so the hypotheses "loss at threshold t >= eps" are ordered from the strictest
 * threshold to the loosest and tested one by one at level delta with the exact binomial p-value; the first that is
 * not rejected ends the sequence. Every rejected threshold then has loss < eps simultaneously with probability at
 * least 1 - delta, without a multiplicity correction, and the loosest of them is the guaranteed choice.
 */
public final class FixedSequenceTest {
    private FixedSequenceTest() {
    }

    /**
     * @param certified   index (in the caller's ascending-threshold order) of the loosest certified threshold, -1 when
     *                    even the strictest was not
     * @param upperBounds Clopper-Pearson 1 - delta upper bound of every threshold's loss (all computed, also those
     *                    after the stop, for reporting)
     * @param pValues     p-value of every threshold's hypothesis "loss >= eps"
     * @param tested      how many hypotheses the sequence tested before stopping (strict end first)
     */
    public record Result(int certified, double[] upperBounds, double[] pValues, int tested) {
    }

    /**
     * @param losses losses (disagreements with full depth) of each threshold on the calibration set, thresholds in
     *               ascending order (the strictest last)
     * @param n      calibration samples
     * @param eps    the loss to control, in (0, 1)
     * @param delta  1 - confidence, in (0, 1)
     */
    public static Result run(int[] losses, int n, double eps, double delta) {
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("eps (the accepted loss) must be in (0, 1), got " + eps);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta (1 - confidence) must be in (0, 1), got " + delta);
        }
        double[] bounds = new double[losses.length];
        double[] pValues = new double[losses.length];
        for (int j = 0; j < losses.length; j++) {
            bounds[j] = ClopperPearson.upperBound(losses[j], n, delta);
            pValues[j] = ClopperPearson.pValue(losses[j], n, eps);
        }
        int certified = -1;
        int tested = 0;
        for (int j = losses.length - 1; j >= 0; j--) {
            tested++;
            if (pValues[j] > delta) {
                break;
            }
            certified = j;
        }
        return new Result(certified, bounds, pValues, tested);
    }
}
