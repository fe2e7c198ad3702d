package org.elasticdepth.exporter.calibrate;

/**
 * Exact binomial tail and the one-sided Clopper-Pearson upper confidence bound (Clopper and Pearson, Biometrika
 * 1934): after {@code k} losses in {@code n} independent trials, the true loss rate is at most {@code upperBound(k,
 * n, delta)} with probability at least 1 - delta. Computed from the binomial distribution itself (log-space sums of
 * the probability mass, bisection on p to double precision), not from a normal approximation, so it holds for any
 * n and for rates near 0 where early-exit losses live.
 */
public final class ClopperPearson {
    private ClopperPearson() {
    }

    /** P(X <= k) for X ~ Binomial(n, p). */
    public static double cdf(int k, int n, double p) {
        checkCounts(k, n);
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
        if (k >= n || p == 0) {
            return 1;
        }
        if (p == 1) {
            return 0;
        }
        double logP = Math.log(p);
        double logQ = Math.log1p(-p);
        // log pmf(j) = log C(n, j) + j log p + (n - j) log(1 - p), with log C built up term by term
        double logChoose = 0;
        double[] terms = new double[k + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= k; j++) {
            if (j > 0) {
                logChoose += Math.log(n - j + 1) - Math.log(j);
            }
            terms[j] = logChoose + j * logP + (n - j) * logQ;
            max = Math.max(max, terms[j]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return Math.min(1, Math.exp(max + Math.log(sum)));
    }

    /**
     * The exact p-value of "the loss rate is at least {@code eps}" after {@code k} losses in {@code n}: P(X <= k) for
     * X ~ Binomial(n, eps). Rejecting when it is at most delta is the same decision as {@code upperBound(k, n, delta)
     * <= eps}.
     */
    public static double pValue(int k, int n, double eps) {
        return cdf(k, n, eps);
    }

    /**
     * The smallest p with P(X <= k | p) <= delta: the 1 - delta upper confidence bound on the loss rate. With no
     * loss it is 1 - delta^(1/n).
     *
     * @throws IllegalArgumentException for delta outside (0, 1) or impossible counts
     */
    public static double upperBound(int k, int n, double delta) {
        checkCounts(k, n);
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (k >= n) {
            return 1;
        }
        if (k == 0) {
            return -Math.expm1(Math.log(delta) / n); // closed form, exact
        }
        double lo = (double) k / n; // cdf(k; n, k/n) >= 1/2 > delta for delta < 1/2; bisect anyway for any delta
        double hi = 1;
        if (cdf(k, n, lo) <= delta) {
            lo = 0;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(k, n, mid) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * The fewest calibration samples for which any threshold can be certified at loss {@code eps} with confidence 1 -
     * delta: even with zero losses the bound is 1 - delta^(1/n), which is at most eps only for n >= ln(delta) /
     * ln(1 - eps).
     */
    public static int minimumSamples(double eps, double delta) {
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("eps (the accepted loss) must be in (0, 1), got " + eps);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta (1 - confidence) must be in (0, 1), got " + delta);
        }
        double n = Math.log(delta) / Math.log1p(-eps);
        int ceil = (int) Math.ceil(n - 1e-9);
        while (upperBound(0, Math.max(1, ceil), delta) > eps) { // guard against rounding at the boundary
            ceil++;
        }
        return Math.max(1, ceil);
    }

    private static void checkCounts(int k, int n) {
        if (n < 1 || k < 0 || k > n) {
            throw new IllegalArgumentException("need 0 <= losses <= samples and samples >= 1, got " + k + " of " + n);
        }
    }
}
