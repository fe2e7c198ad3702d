package org.elasticdepth.exporter.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import org.elasticdepth.exporter.testing.FreedMemory;
import org.junit.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class ElasticVitTest {
    private static final VitConfig CONFIG = new VitConfig(28, 1, 7, 16, 3, 2, 32, 5, 0f, 1e-5f);

    /** The aligned loss works only if every exit's loss reaches the blocks below it, not just the head. */
    @Test
    public void exitLossOfLayerOneReachesBlockOneAndNotBlockTwo() {
        try (ElasticVit vit = ElasticVit.initialize(CONFIG, HeadLayout.SHARED, 1);
                NDManager manager = NDManager.newBaseManager();
                ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            NDArray images = manager.randomNormal(new ai.djl.ndarray.types.Shape(4, 1, 28, 28));
            ai.djl.ndarray.NDList features = vit.forwardFeatures(images, true);
            collector.backward(vit.exitLogits(1, features.get(0)).square().sum());
            Map<String, NDArray> weights = vit.trainableWeights();
            float block1 = weights.get("block1.mlp.fc1.weight").getGradient().abs().sum().getFloat();
            float block2 = weights.get("block2.mlp.fc1.weight").getGradient().abs().sum().getFloat();
            assertTrue("layer-1 exit loss must train block 1, gradient sum was " + block1, block1 > 0);
            assertEquals("layer-1 exit loss must not reach block 2", 0f, block2, 0f);
        }
    }

    /**
     * Regression: a Java number passed to an op inside the autograd graph (the attention's 1/sqrt(d) was) became
     * a tensor over a Java direct buffer that DJL frees at once while autograd keeps it for backward; after a GC
     * the backward pass read whatever reused that memory. Gradients must not depend on what happens between
     * forward and backward.
     */
    @Test
    public void gradientsDoNotDependOnWhatTheCollectorFreesBetweenForwardAndBackward() throws InterruptedException {
        float[] quiet = attentionGradient(false);
        float[] churned = attentionGradient(true);
        assertTrue(Math.abs(quiet[0]) > 0);
        assertArrayEquals(quiet, churned, 0f);
    }

    private static float[] attentionGradient(boolean churnMemory) throws InterruptedException {
        try (ElasticVit vit = ElasticVit.initialize(CONFIG, HeadLayout.SHARED, 7);
                NDManager manager = NDManager.newBaseManager();
                ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            float[] pixels = new float[2 * 28 * 28];
            Random random = new Random(3);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) random.nextGaussian();
            }
            NDArray images = ElasticVit.torchOwned(manager.create(pixels, new ai.djl.ndarray.types.Shape(2, 1, 28, 28)));
            NDArray loss = vit.exitLogits(vit.forwardFeatures(images, true)).square().sum();
            java.util.List<java.nio.ByteBuffer> taken = churnMemory ? FreedMemory.reuse(Float.BYTES, 2000) : null;
            collector.backward(loss);
            java.lang.ref.Reference.reachabilityFence(taken);
            return vit.trainableWeights().get("block1.attn.qkv.weight").getGradient().toFloatArray();
        }
    }

    @Test
    public void weightNamesAndShapesFollowTheContract() {
        try (ElasticVit vit = ElasticVit.initialize(CONFIG, HeadLayout.SHARED, 1)) {
            Map<String, long[]> shapes = vit.weightShapes();
            assertEquals(4 + 12 * 3 + 4, shapes.size());
            assertArrayEquals(new long[] {16, 1, 7, 7}, shapes.get("stem.patch.weight"));
            assertArrayEquals(new long[] {1, 17, 16}, shapes.get("stem.pos"));
            assertArrayEquals(new long[] {48, 16}, shapes.get("block3.attn.qkv.weight"));
            assertArrayEquals(new long[] {32, 16}, shapes.get("block1.mlp.fc1.weight"));
            assertArrayEquals(new long[] {5, 16}, shapes.get("head.fc.weight"));
            for (Map.Entry<String, float[]> w : vit.namedWeights().entrySet()) {
                long size = 1;
                for (long d : shapes.get(w.getKey())) {
                    size *= d;
                }
                assertEquals(w.getKey(), size, w.getValue().length);
            }
        }
        try (ElasticVit multi = ElasticVit.initialize(CONFIG, HeadLayout.PER_LAYER, 1)) {
            assertTrue(multi.weightShapes().containsKey("head3.ln.gamma"));
            assertTrue(!multi.weightShapes().containsKey("head.ln.gamma"));
        }
    }

    @Test
    public void weightsRoundTripAndInferenceIsDeterministic() {
        float[] images = randomImages(3, 9);
        try (ElasticVit a = ElasticVit.initialize(CONFIG, HeadLayout.SHARED, 4);
             ElasticVit b = ElasticVit.fromWeights(CONFIG, HeadLayout.SHARED, a.namedWeights())) {
            LayerOutputs outA = a.infer(images, 3);
            LayerOutputs outB = b.infer(images, 3);
            assertEquals(3, outA.layers());
            assertEquals(3, outA.batch());
            for (int l = 0; l < 3; l++) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(16, outA.features()[l][i].length);
                    assertEquals(5, outA.logits()[l][i].length);
                    assertArrayEquals(outA.features()[l][i], outB.features()[l][i], 0f);
                    assertArrayEquals(outA.logits()[l][i], outB.logits()[l][i], 0f);
                }
            }
            // the same image gives the same result alone or in a batch
            float[] first = java.util.Arrays.copyOf(images, 784);
            assertArrayEquals(outA.logits()[2][0], a.infer(first, 1).logits()[2][0], 1e-5f);
        }
    }

    @Test
    public void mismatchedImagesAreRejectedClearly() {
        try (ElasticVit vit = ElasticVit.initialize(CONFIG, HeadLayout.SHARED, 1);
             NDManager m = NDManager.newBaseManager()) {
            try {
                vit.forwardFeatures(m.zeros(new ai.djl.ndarray.types.Shape(2, 3, 28, 28)), false);
                fail("3-channel images accepted by a 1-channel model");
            } catch (InputShapeException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("channels 1"));
            }
            try {
                vit.infer(new float[2 * 32 * 32], 2);
                fail("32x32 images accepted by a 28x28 model");
            } catch (InputShapeException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("28x28"));
            }
        }
        try {
            ElasticVit.fromWeights(CONFIG, HeadLayout.SHARED, Map.of("stem.cls", new float[16]));
            fail("incomplete weights accepted");
        } catch (InputShapeException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("missing weight"));
        }
    }

    @Test
    public void geluIsTheExactErfForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = {-2f, -0.5f, 0.3f, 1f, 2.5f};
            float[] y = Activation.gelu(m.create(x)).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double exact = 0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2)));
                assertEquals(exact, y[i], 2e-6);
            }
            // the tanh approximation differs by more than the tolerance at x = 1
            double tanhForm = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715)));
            assertTrue(Math.abs(tanhForm - y[3]) > 1e-4);
        }
    }

    @Test
    public void configValidationNamesTheProblem() {
        try {
            new VitConfig(28, 1, 5, 16, 3, 2, 32, 5, 0f, 1e-5f);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("patchSize 5"));
        }
        VitConfig parsed = VitConfig.fromJson(CONFIG.toJson());
        assertEquals(CONFIG, parsed);
        assertEquals(17, parsed.tokens());
        try {
            VitConfig.fromJson("{\"imageSize\": 28}");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("channels"));
        }
    }

    private static float[] randomImages(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** Abramowitz-Stegun 7.1.26 is too coarse here; integrate erf numerically instead (Simpson, 2000 steps). */
    private static double erf(double z) {
        int n = 2000;
        double h = z / n;
        double s = 1 + Math.exp(-z * z);
        for (int i = 1; i < n; i++) {
            double t = i * h;
            s += (i % 2 == 0 ? 2 : 4) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }
}
