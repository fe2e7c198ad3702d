package org.elasticdepth.exporter.train;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class LossWeightsTest {

    @Test
    public void lambdasAreTwoLOverLTimesLPlusOne() {
        float[] lambdas = LossWeights.lambdas(6);
        assertEquals(6, lambdas.length);
        float sum = 0;
        for (int l = 1; l <= 6; l++) {
            assertEquals(2f * l / 42f, lambdas[l - 1], 1e-7f);
            sum += lambdas[l - 1];
        }
        assertEquals(1f, sum, 1e-6f);
        assertEquals(1f, LossWeights.lambdas(1)[0], 0f);
        float[] three = LossWeights.lambdas(3);
        assertEquals(1f / 6, three[0], 1e-7f);
        assertEquals(2f / 6, three[1], 1e-7f);
        assertEquals(3f / 6, three[2], 1e-7f);
    }

    @Test
    public void alignedStepsAlternateWithLastLayerSteps() {
        for (long step = 0; step < 10; step++) {
            assertEquals(step % 2 == 0, LossWeights.isAlignedStep(step, false));
            assertTrue(LossWeights.isAlignedStep(step, true));
        }
        assertFalse(LossWeights.isAlignedStep(1_000_001, false));
    }

    @Test(expected = IllegalArgumentException.class)
    public void depthMustBePositive() {
        LossWeights.lambdas(0);
    }
}
