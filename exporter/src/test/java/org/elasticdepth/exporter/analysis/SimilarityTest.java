package org.elasticdepth.exporter.analysis;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class SimilarityTest {
    // three samples, two features; column means (3, 2)
    private static final float[][] X = {{1, 2}, {3, 4}, {5, 0}};

    @Test
    public void cosCentresByTheGlobalMeanAndAveragesPerSample() {
        // centred X: (-2, 0), (0, 2), (2, -2). Y = 2 X + (10, -7) centres to 2 * centred X: every cosine is 1
        float[][] y = {{12, -3}, {16, 1}, {20, -7}};
        assertEquals(1.0, Similarity.cos(X, y), 1e-12);
        // Z centred: (0, -2), (2, 0), (-2, 2); per-sample cosines with centred X:
        // (-2,0).(0,-2) = 0 -> 0; (0,2).(2,0) = 0 -> 0; (2,-2).(-2,2) = -8 / (sqrt8 sqrt8) = -1  => mean -1/3
        float[][] z = {{0, -2}, {2, 0}, {-2, 2}};
        assertEquals(-1.0 / 3, Similarity.cos(X, z), 1e-12);
    }

    @Test
    public void linearCkaMatchesHandComputation() {
        // centred X = A: (-2,0),(0,2),(2,-2); A^T A = [[8,-4],[-4,8]], ||A^T A||_F^2 = 160
        // B = centred [1,2,3] as one column: (-1,0,1); B^T A = [4, -2]; ||.||^2 = 20; B^T B = 2
        // CKA = 20 / (sqrt(160) * 2) = 0.790569...
        float[][] b = {{1}, {2}, {3}};
        assertEquals(20 / (Math.sqrt(160) * 2), Similarity.cka(X, b), 1e-12);
        assertEquals(1.0, Similarity.cka(X, X), 1e-12);
    }

    @Test
    public void ckaIsInvariantToOrthogonalTransformsWhileCosIsNot() {
        java.util.Random random = new java.util.Random(3);
        int n = 50;
        int d = 4;
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        // Q: a rotation by 90 degrees in the (0,1) plane and a reflection of axis 3 -- orthogonal
        double[][] q = {{0, 1, 0, 0}, {-1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, -1}};
        float[][] xq = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += x[i][k] * q[k][j];
                }
                xq[i][j] = (float) s;
            }
        }
        assertEquals(1.0, Similarity.cka(x, xq), 1e-6);
        double cos = Similarity.cos(x, xq);
        assertTrue("COS of X and XQ should be far from 1, was " + cos, cos < 0.9);
    }

    @Test
    public void boxStatsInterpolateQuartiles() {
        BoxStats s = BoxStats.of(new double[] {4, 1, 3, 2, 5});
        assertEquals(1, s.min(), 0);
        assertEquals(2, s.q1(), 0);
        assertEquals(3, s.median(), 0);
        assertEquals(4, s.q3(), 0);
        assertEquals(5, s.max(), 0);
        assertEquals(3, s.mean(), 0);
    }
}
