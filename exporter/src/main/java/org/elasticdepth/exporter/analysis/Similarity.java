package org.elasticdepth.exporter.analysis;

/**
 * Representation similarity between layers, as in the paper's section 2: sample-wise cosine similarity of features
 * centred by their global mean (COS), and linear CKA (Kornblith et al. 2019).
 * Feature matrices are {@code [n][d]} (one row per sample); computations use doubles.
 */
public final class Similarity {

    private Similarity() {
    }

    /** Features minus their mean over samples (each column centred). */
    public static double[][] centred(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[] mean = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] c = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = x[i][j] - mean[j];
            }
        }
        return c;
    }

    /**
     * Per-sample cosine similarity cos(a_i - mean(a), b_i - mean(b)) of two layers' features (same samples, same
     * width, as CLS features of one model are).
     */
    public static double[] sampleCosines(double[][] centredA, double[][] centredB) {
        checkSameSamples(centredA, centredB);
        if (centredA[0].length != centredB[0].length) {
            throw new IllegalArgumentException("sample-wise cosine needs features of the same width");
        }
        double[] cos = new double[centredA.length];
        for (int i = 0; i < cos.length; i++) {
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < centredA[i].length; j++) {
                dot += centredA[i][j] * centredB[i][j];
                na += centredA[i][j] * centredA[i][j];
                nb += centredB[i][j] * centredB[i][j];
            }
            cos[i] = dot / Math.max(Math.sqrt(na * nb), 1e-30);
        }
        return cos;
    }

    /** Mean sample-wise cosine similarity (COS) of two raw feature matrices. */
    public static double cos(float[][] a, float[][] b) {
        return mean(sampleCosines(centred(a), centred(b)));
    }

    /**
     * Linear CKA of two centred feature matrices: ||B^T A||_F^2 / (||A^T A||_F ||B^T B||_F). Invariant to orthogonal
     * transforms and isotropic scaling of either side, unlike COS.
     */
    public static double linearCka(double[][] centredA, double[][] centredB) {
        checkSameSamples(centredA, centredB);
        double cross = squaredFrobenius(gram(centredA, centredB));
        double selfA = Math.sqrt(squaredFrobenius(gram(centredA, centredA)));
        double selfB = Math.sqrt(squaredFrobenius(gram(centredB, centredB)));
        return cross / Math.max(selfA * selfB, 1e-300);
    }

    /** Linear CKA of two raw feature matrices. */
    public static double cka(float[][] a, float[][] b) {
        return linearCka(centred(a), centred(b));
    }

    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** A^T B, [dA][dB]. */
    private static double[][] gram(double[][] a, double[][] b) {
        int da = a[0].length;
        int db = b[0].length;
        double[][] g = new double[da][db];
        for (int i = 0; i < a.length; i++) {
            double[] ra = a[i];
            double[] rb = b[i];
            for (int p = 0; p < da; p++) {
                double v = ra[p];
                double[] gp = g[p];
                for (int q = 0; q < db; q++) {
                    gp[q] += v * rb[q];
                }
            }
        }
        return g;
    }

    private static double squaredFrobenius(double[][] m) {
        double s = 0;
        for (double[] row : m) {
            for (double v : row) {
                s += v * v;
            }
        }
        return s;
    }

    private static void checkSameSamples(double[][] a, double[][] b) {
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("similarity needs the same samples (at least 2) on both sides, got "
                    + a.length + " and " + b.length);
        }
    }
}
