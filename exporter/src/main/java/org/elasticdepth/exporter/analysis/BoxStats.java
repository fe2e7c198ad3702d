package org.elasticdepth.exporter.analysis;

import java.util.Arrays;

/** Five-number summary and mean of a distribution (what a box plot draws). */
public record BoxStats(double min, double q1, double median, double q3, double max, double mean) {

    public static BoxStats of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new BoxStats(sorted[0], quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75),
                sorted[sorted.length - 1], Similarity.mean(values));
    }

    /** Linear interpolation between closest ranks. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
