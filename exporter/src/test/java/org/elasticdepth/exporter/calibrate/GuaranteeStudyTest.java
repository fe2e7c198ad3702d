package org.elasticdepth.exporter.calibrate;

import org.junit.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class GuaranteeStudyTest {

    /**
     * 3 layers, 6000 images. An image's layer-1 confidence is uniform; layer 1 disagrees with layer 3 with a
     * probability that falls with confidence (0.2 x (1 - c)^2), so looser thresholds lose more.
     */
    private static LayerPredictions synthetic(long seed) {
        int n = 6000;
        Random r = new Random(seed);
        int[][] predicted = new int[3][n];
        float[][] confidence = new float[3][n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float c = r.nextFloat();
            confidence[0][i] = c;
            confidence[1][i] = 0.5f;
            confidence[2][i] = 0.5f;
            labels[i] = r.nextInt(10);
            predicted[2][i] = r.nextDouble() < 0.9 ? labels[i] : (labels[i] + 1) % 10;
            predicted[1][i] = predicted[2][i];
            predicted[0][i] = r.nextDouble() < 0.2 * (1 - c) * (1 - c) ? (predicted[2][i] + 3) % 10 : predicted[2][i];
        }
        return new LayerPredictions(predicted, confidence, labels);
    }

    @Test
    public void guaranteedViolatesAtMostDeltaWhileTheNaiveChoiceViolatesOften() {
        double[] thresholds = new double[40];
        for (int i = 0; i < thresholds.length; i++) {
            thresholds[i] = 0.02 + i * 0.025;
        }
        GuaranteeStudy study = new GuaranteeStudy(synthetic(3), thresholds);
        List<GuaranteeStudy.Summary> s = study.run(100, 2000, List.of(new GuaranteeStudy.Setting(0.02, 0.1)), 5);
        assertEquals(3, s.size());
        GuaranteeStudy.Summary guaranteed = s.get(0);
        GuaranteeStudy.Summary naive = s.get(1);
        assertEquals(GuaranteeStudy.Method.GUARANTEED, guaranteed.method());
        assertEquals(100, guaranteed.trials().size());
        // delta 0.1 over 100 splits: at most ~10 expected, 16 is 2 standard deviations above
        assertTrue("guaranteed " + guaranteed.disagreementViolations(), guaranteed.disagreementViolations() <= 16);
        assertTrue("naive " + naive.disagreementViolations(), naive.disagreementViolations() >= 25);
        assertTrue(guaranteed.exitingShare() > 0.9);
        // deterministic for a seed
        assertEquals(guaranteed.trials(), study.run(100, 2000, List.of(new GuaranteeStudy.Setting(0.02, 0.1)), 5).get(0).trials());
    }

    @Test
    public void badStudyInputsAreClearErrors() {
        GuaranteeStudy study = new GuaranteeStudy(synthetic(1), new double[] {0.5, 0.9});
        List<GuaranteeStudy.Setting> ok = List.of(new GuaranteeStudy.Setting(0.01, 0.05));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> study.run(10, 100, ok, 1)).getMessage()
                .contains("needs at least 299"));
        assertThrows(IllegalArgumentException.class, () -> study.run(10, 6000, ok, 1));
        assertThrows(IllegalArgumentException.class, () -> study.run(0, 1000, ok, 1));
        assertThrows(IllegalArgumentException.class, () -> new GuaranteeStudy.Setting(0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new GuaranteeStudy.Setting(0.01, 1));
    }

    @Test
    public void predictionsCacheRoundTripsAndRejectsTruncation() throws IOException {
        LayerPredictions p = synthetic(2).subset(new int[] {5, 1, 9});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.write(out);
        LayerPredictions back = LayerPredictions.read(new ByteArrayInputStream(out.toByteArray()));
        assertArrayEquals(p.labels(), back.labels());
        assertTrue(Arrays.deepEquals(p.predicted(), back.predicted()));
        assertTrue(Arrays.deepEquals(p.confidence(), back.confidence()));
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 3);
        assertTrue(assertThrows(IOException.class, () -> LayerPredictions.read(new ByteArrayInputStream(cut)))
                .getMessage().contains("truncated"));
    }
}
