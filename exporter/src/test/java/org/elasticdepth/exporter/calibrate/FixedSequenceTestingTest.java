package org.elasticdepth.exporter.calibrate;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The stopping rule of {@link FixedSequenceTest} and the guaranteed calibration built on it. */
public class FixedSequenceTestingTest {

    @Test
    public void stopsAtTheFirstThresholdThatFailsFromTheStrictEnd() {
        // thresholds ascending; losses of 2000 calibration images; eps 0.01, delta 0.05: a threshold passes when its
        // Clopper-Pearson bound is <= 0.01, i.e. with at most 12 losses: P(X <= 12 | 2000, 0.01) = 0.0383 <= 0.05,
        // P(X <= 13 | 2000, 0.01) = 0.0652 (exact binomial sums)
        assertEquals(0.03830767761147439, ClopperPearson.cdf(12, 2000, 0.01), 1e-12);
        assertEquals(0.06517772366866291, ClopperPearson.cdf(13, 2000, 0.01), 1e-12);
        int[] losses = {5, 30, 12, 8, 0};
        assertTrue(ClopperPearson.upperBound(12, 2000, 0.05) <= 0.01);
        assertTrue(ClopperPearson.upperBound(13, 2000, 0.05) > 0.01);
        FixedSequenceTest.Result r = FixedSequenceTest.run(losses, 2000, 0.01, 0.05);
        // strict end: 0 passes, 8 passes, 11 passes, 30 fails -> stop; index 0 (5 losses) is never reached
        assertEquals(2, r.certified());
        assertEquals(4, r.tested());
        assertTrue(r.upperBounds()[0] <= 0.01); // would pass on its own: fixed sequence still does not take it
        assertEquals(ClopperPearson.upperBound(30, 2000, 0.05), r.upperBounds()[1], 0);
        assertTrue(r.pValues()[1] > 0.05);
    }

    @Test
    public void nothingCertifiedWhenTheStrictestFails() {
        FixedSequenceTest.Result r = FixedSequenceTest.run(new int[] {0, 0, 40}, 2000, 0.01, 0.05);
        assertEquals(-1, r.certified());
        assertEquals(1, r.tested());
    }

    @Test
    public void everythingCertifiedWhenEveryBoundPasses() {
        assertEquals(0, FixedSequenceTest.run(new int[] {3, 2, 1}, 2000, 0.01, 0.05).certified());
    }

    @Test
    public void badEpsOrDeltaAreClearErrors() {
        for (double bad : new double[] {0, 1, -0.5, Double.NaN}) {
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> FixedSequenceTest.run(new int[] {0}, 100, bad, 0.05)).getMessage().contains("eps"));
            assertTrue(assertThrows(IllegalArgumentException.class,
                    () -> FixedSequenceTest.run(new int[] {0}, 100, 0.01, bad)).getMessage().contains("delta"));
            assertThrows(IllegalArgumentException.class, () -> new Calibrator.GuaranteeRequest(bad, 0.95, true));
            assertThrows(IllegalArgumentException.class, () -> new Calibrator.GuaranteeRequest(0.01, bad, true));
        }
    }

    /** n images, 2 layers: layer 1 confident (0.99) on the first {@code early}, of which {@code wrong} disagree. */
    private static LayerPredictions predictions(int n, int early, int wrong) {
        int[][] predicted = new int[2][n];
        float[][] confidence = new float[2][n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            confidence[0][i] = i < early ? 0.99f : 0.4f;
            confidence[1][i] = 0.9f;
            predicted[0][i] = i < wrong ? 1 : 0;
        }
        return new LayerPredictions(predicted, confidence, labels);
    }

    @Test
    public void calibratorRecordsBoundsAndChoosesTheCertifiedThreshold() {
        // threshold 0.5 sends 800 of 1000 images out at layer 1, 3 of them disagreeing with layer 2
        LayerPredictions outputs = predictions(1000, 800, 3);
        Calibration c = Calibrator.calibrate(outputs, 0.0, new double[] {0.5, 0.995},
                new Calibrator.GuaranteeRequest(0.01, 0.95, true));
        assertEquals(0.5, c.chosenThreshold(), 0);
        assertEquals(0.5, c.guarantee().threshold(), 0);
        assertEquals(3, c.frontier().get(0).lossBound().losses());
        assertEquals(1000, c.frontier().get(0).lossBound().samples());
        assertEquals(ClopperPearson.upperBound(3, 1000, 0.05), c.frontier().get(0).lossBound().upperBound(), 0);
        assertEquals(java.util.List.of(800L, 200L), c.frontier().get(0).exitCounts());
        assertEquals(Calibration.fromJson(c.toJson()).guarantee(), c.guarantee());
        // 15 disagreements: bound 0.0234 > 0.01 at 0.5, so the sequence stops at 0.995 (nothing exits early there)
        Calibration strict = Calibrator.calibrate(predictions(1000, 800, 15), 0.0, new double[] {0.5, 0.995},
                new Calibrator.GuaranteeRequest(0.01, 0.95, true));
        assertEquals(0.995, strict.guarantee().threshold(), 0);
        assertEquals(0.995, strict.chosenThreshold(), 0);
        assertTrue(strict.frontier().get(0).lossBound().upperBound() > 0.01);
        // when even the strictest threshold loses too much, only full depth is guaranteed
        Calibration none = Calibrator.calibrate(predictions(1000, 800, 15), 0.0, new double[] {0.5},
                new Calibrator.GuaranteeRequest(0.01, 0.95, true));
        assertEquals(null, none.guarantee().threshold());
        assertEquals(1.0, none.chosenThreshold(), 0);
    }

    @Test
    public void tooFewCalibrationImagesSayHowManyAreNeeded() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calibrator.calibrate(
                predictions(200, 100, 0), 0.0, new double[] {0.5}, new Calibrator.GuaranteeRequest(0.01, 0.95, true)));
        assertTrue(e.getMessage(), e.getMessage().contains("needs at least 299 calibration images"));
        assertTrue(e.getMessage(), e.getMessage().contains("has 200"));
        // not required: the bounds are recorded, weak, without an error
        Calibration c = Calibrator.calibrate(predictions(200, 100, 0), 0.0, new double[] {0.5},
                new Calibrator.GuaranteeRequest(0.01, 0.95, false));
        assertEquals(null, c.guarantee().threshold());
    }
}
