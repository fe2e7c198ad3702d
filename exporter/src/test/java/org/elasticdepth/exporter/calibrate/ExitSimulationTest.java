package org.elasticdepth.exporter.calibrate;

import org.junit.Test;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

public class ExitSimulationTest {

    @Test
    public void speedUpIsFullCostOverUsedCost() {
        // L = 4; m = (2, 1, 0, 1): sum(L m_i) = 16, sum(i m_i) = 2 + 2 + 4 = 8
        assertEquals(2.0, ExitSimulation.speedUp(new long[] {2, 1, 0, 1}), 1e-12);
        assertEquals(1.0, ExitSimulation.speedUp(new long[] {0, 0, 7}), 1e-12);
        assertEquals(3.0, ExitSimulation.speedUp(new long[] {5, 0, 0}), 1e-12);
    }

    @Test
    public void samplesExitAtTheFirstConfidentLayer() {
        // 3 layers, 3 samples, 2 classes
        float[][][] p = {
            {{0.95f, 0.05f}, {0.6f, 0.4f}, {0.5f, 0.5f}},
            {{0.9f, 0.1f}, {0.08f, 0.92f}, {0.55f, 0.45f}},
            {{0.8f, 0.2f}, {0.2f, 0.8f}, {0.3f, 0.7f}},
        };
        int[] labels = {0, 1, 1};
        ExitSimulation.Outcome outcome = ExitSimulation.simulate(p, labels, 0.9);
        // sample 0 exits at layer 1 (0.95), sample 1 at layer 2 (0.92), sample 2 never confident: layer 3
        assertArrayEquals(new long[] {1, 1, 1}, outcome.exitCounts());
        assertEquals(1.0, outcome.accuracy(), 1e-12);
        assertEquals(2.0, outcome.meanExitLayer(), 1e-12);
        assertEquals(9.0 / 6.0, outcome.speedUp(), 1e-12);
        // a low threshold exits everything at layer 1: sample 1 is then wrong (0.6 for class 0)
        ExitSimulation.Outcome eager = ExitSimulation.simulate(p, labels, 0.5);
        assertArrayEquals(new long[] {3, 0, 0}, eager.exitCounts());
        assertEquals(1.0 / 3, eager.accuracy(), 1e-12);
    }

    @Test
    public void calibratorPicksTheFastestThresholdWithinTheDrop() {
        float[][][] p = {
            {{0.95f, 0.05f}, {0.6f, 0.4f}, {0.5f, 0.5f}},
            {{0.9f, 0.1f}, {0.08f, 0.92f}, {0.55f, 0.45f}},
            {{0.8f, 0.2f}, {0.2f, 0.8f}, {0.3f, 0.7f}},
        };
        int[] labels = {0, 1, 1};
        Calibration c = Calibrator.calibrate(p, labels, 0.0, new double[] {0.5, 0.9, 0.99});
        assertEquals(1.0, c.fullDepthAccuracy(), 0);
        assertEquals(3, c.frontier().size());
        assertEquals(0.9, c.chosenThreshold(), 0);
        Calibration lenient = Calibrator.calibrate(p, labels, 0.7, new double[] {0.5, 0.9, 0.99});
        assertEquals(0.5, lenient.chosenThreshold(), 0);
        assertEquals(3.0, lenient.chosen().speedUp(), 1e-12);
        Calibration roundTrip = Calibration.fromJson(c.toJson());
        assertEquals(c.chosen(), roundTrip.chosen());
        assertEquals(c.frontier(), roundTrip.frontier());
    }
}
