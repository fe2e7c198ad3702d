package org.elasticdepth.exporter.calibrate;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ClopperPearsonTest {

    @Test
    public void binomialTailMatchesHandComputedValues() {
        // P(X <= 1 | n = 10, p = 0.2) = 0.8^10 + 10 * 0.2 * 0.8^9 = 0.1073741824 + 0.268435456
        assertEquals(0.3758096384, ClopperPearson.cdf(1, 10, 0.2), 1e-13);
        // P(X <= 0 | n = 5, p = 0.5) = 1/32; P(X <= 2 | 5, 0.5) = (1 + 5 + 10) / 32
        assertEquals(1.0 / 32, ClopperPearson.cdf(0, 5, 0.5), 1e-15);
        assertEquals(0.5, ClopperPearson.cdf(2, 5, 0.5), 1e-15);
        // P(X <= 2 | 20, 0.1) = 0.9^20 + 20 * 0.1 * 0.9^19 + 190 * 0.01 * 0.9^18
        double expected = Math.pow(0.9, 20) + 2 * Math.pow(0.9, 19) + 1.9 * Math.pow(0.9, 18);
        assertEquals(expected, ClopperPearson.cdf(2, 20, 0.1), 1e-14);
        assertEquals(1, ClopperPearson.cdf(7, 7, 0.3), 0);
        assertEquals(1, ClopperPearson.cdf(3, 7, 0), 0);
        assertEquals(0, ClopperPearson.cdf(3, 7, 1), 0);
        // large n does not underflow: P(X <= 150 | 15000, 0.01) is about one half (mean 150)
        double half = ClopperPearson.cdf(150, 15000, 0.01);
        assertTrue(String.valueOf(half), half > 0.5 && half < 0.56);
    }

    @Test
    public void upperBoundMatchesHandComputedValues() {
        // no loss: 1 - delta^(1/n); n = 10, delta = 0.05: 1 - 0.05^0.1 = 0.25886555...
        assertEquals(0.2588655508930523, ClopperPearson.upperBound(0, 10, 0.05), 1e-15);
        // 1 loss of 10 at 95 %: the p with (1-p)^10 + 10 p (1-p)^9 = 0.05, 0.39416 (tables: 0.3942)
        double p = ClopperPearson.upperBound(1, 10, 0.05);
        assertEquals(0.3941633024365048, p, 1e-12);
        assertEquals(0.05, Math.pow(1 - p, 10) + 10 * p * Math.pow(1 - p, 9), 1e-12);
        // 5 of 100 at 95 % and 3 of 50 at 90 %, checked by the defining equation P(X <= k | p) = delta
        assertEquals(0.10225337764327451, ClopperPearson.upperBound(5, 100, 0.05), 1e-12);
        assertEquals(0.1287564225866019, ClopperPearson.upperBound(3, 50, 0.10), 1e-12);
        assertEquals(0.10, ClopperPearson.cdf(3, 50, ClopperPearson.upperBound(3, 50, 0.10)), 1e-12);
        assertEquals(1, ClopperPearson.upperBound(4, 4, 0.05), 0);
    }

    @Test
    public void pValueRejectsExactlyWhenTheBoundIsBelowEps() {
        for (int k : new int[] {0, 3, 20, 49}) {
            double bound = ClopperPearson.upperBound(k, 2000, 0.05);
            assertTrue(ClopperPearson.pValue(k, 2000, bound * 1.0001) <= 0.05);
            assertTrue(ClopperPearson.pValue(k, 2000, bound * 0.9999) > 0.05);
        }
    }

    @Test
    public void minimumSamplesIsLnDeltaOverLnOneMinusEps() {
        // ln(0.05) / ln(0.99) = 298.07 -> 299; ln(0.1) / ln(0.98) = 113.97 -> 114
        assertEquals(299, ClopperPearson.minimumSamples(0.01, 0.05));
        assertEquals(114, ClopperPearson.minimumSamples(0.02, 0.10));
        assertTrue(ClopperPearson.upperBound(0, 299, 0.05) <= 0.01);
        assertTrue(ClopperPearson.upperBound(0, 298, 0.05) > 0.01);
    }

    @Test
    public void badInputsAreClearErrors() {
        for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ClopperPearson.upperBound(1, 10, bad))
                    .getMessage().contains("delta must be in (0, 1)"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ClopperPearson.minimumSamples(bad, 0.05))
                    .getMessage().contains("eps"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ClopperPearson.minimumSamples(0.01, bad))
                    .getMessage().contains("delta"));
        }
        assertThrows(IllegalArgumentException.class, () -> ClopperPearson.upperBound(11, 10, 0.05));
        assertThrows(IllegalArgumentException.class, () -> ClopperPearson.upperBound(-1, 10, 0.05));
        assertThrows(IllegalArgumentException.class, () -> ClopperPearson.cdf(1, 0, 0.5));
    }
}
