package org.elasticdepth.exporter.ddp;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.Gson;
import org.elasticdepth.exporter.imports.TimmLayout;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.AdamW;
import org.elasticdepth.exporter.train.Objective;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.elasticdepth.exporter.train.TrainingMode;
import org.elasticdepth.exporter.train.TrainingOptions;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Same objective, proven: from the same initial weights and the same batch, the PyTorch DDP trainer's
 * {@code train_step} and the exporter's DJL step (Objective + AdamW, as Trainer runs them) give the same loss and
 * the same updated weights, for every mode. Two steps per mode: step 0 and step 1, so aligned covers both of its
 * step kinds (aligned sum, then last-layer CE) and AdamW's moments carry over; the clip is low enough to engage and
 * weight decay is on.
 */
public class DdpObjectiveParityTest {
    private static final VitConfig MODEL = new VitConfig(16, 3, 4, 16, 3, 2, 32, 3, 0f,
            VitConfig.DEFAULT_LAYER_NORM_EPS);
    private static final int BATCH = 6;
    private static final int[] LABELS = {0, 1, 2, 2, 1, 0};
    private static final long[] STEPS = {0, 1};
    private static final float[] LRS = {1e-3f, 2e-3f};
    private static final float CLIP = 5f; // the global norms here are 6-15: clipping engages on every step
    private static final float WEIGHT_DECAY = 0.1f;
    private static final double LOSS_TOLERANCE = 1e-5; // relative
    private static final double WEIGHT_TOLERANCE = 1e-5; // absolute

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void needsPyTorch() throws Exception {
        PythonTorch.require();
    }

    /** One mode's trajectory: the loss of each step and every weight (timm name) after it. */
    private record Trajectory(float[] losses, List<Map<String, float[]>> weights) {
    }

    @Test
    public void pythonAndDjlStepsGiveTheSameLossAndWeightsInEveryMode() throws Exception {
        Path dir = tmp.getRoot().toPath();
        float[] pixels = new float[BATCH * MODEL.imageFloats()];
        Random random = new Random(17);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        float[] labels = new float[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = LABELS[i];
        }
        Map<String, Tensor> batch = new LinkedHashMap<>();
        batch.put("images", new Tensor(new long[] {BATCH, MODEL.channels(), MODEL.imageSize(), MODEL.imageSize()},
                pixels));
        batch.put("labels", new Tensor(new long[] {BATCH}, labels));
        TimmLayout.writeTensors(batch, dir.resolve("batch.safetensors"));

        TrainingMode[] modes = TrainingMode.values();
        Map<TrainingMode, Trajectory> djl = new LinkedHashMap<>();
        List<Map<String, Object>> cases = new ArrayList<>();
        for (TrainingMode mode : modes) {
            Path init = dir.resolve(mode.cliName() + "-init.safetensors");
            djl.put(mode, djlSteps(mode, pixels, init));
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("mode", mode.cliName());
            c.put("init", init.toString());
            c.put("out", dir.resolve(mode.cliName() + "-python.safetensors").toString());
            List<Map<String, Object>> steps = new ArrayList<>();
            for (int k = 0; k < STEPS.length; k++) {
                steps.add(Map.of("step", STEPS[k], "lr", (double) LRS[k]));
            }
            c.put("steps", steps);
            c.put("clip", (double) CLIP);
            c.put("weightDecay", (double) WEIGHT_DECAY);
            c.put("alignedOnly", false);
            c.put("beta", 1.0);
            cases.add(c);
        }
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("shape", new Gson().fromJson(MODEL.toJson(), Map.class));
        job.put("batch", dir.resolve("batch.safetensors").toString());
        job.put("cases", cases);
        Path jobFile = dir.resolve("job.json");
        Files.writeString(jobFile, new Gson().toJson(job));
        PythonTorch.Result r = PythonTorch.run(300, Map.of(),
                PythonTorch.TEST_SCRIPTS.resolve("ddp_parity_steps.py").toString(), jobFile.toString());
        assertEquals(r.both(), 0, r.status());

        for (TrainingMode mode : modes) {
            Map<String, Tensor> python = TimmLayout.read(dir.resolve(mode.cliName() + "-python.safetensors"));
            Trajectory expected = djl.get(mode);
            float[] pythonLosses = python.get("loss").values();
            Map<String, Tensor> init = TimmLayout.read(dir.resolve(mode.cliName() + "-init.safetensors"));
            double worstLoss = 0;
            double worstWeight = 0;
            for (int k = 0; k < STEPS.length; k++) {
                double relative = Math.abs(pythonLosses[k] - expected.losses()[k]) / Math.abs(expected.losses()[k]);
                assertTrue(mode + " step " + k + ": loss PyTorch " + pythonLosses[k] + " vs DJL "
                        + expected.losses()[k], relative <= LOSS_TOLERANCE);
                worstLoss = Math.max(worstLoss, relative);
                double moved = 0;
                for (Map.Entry<String, float[]> w : expected.weights().get(k).entrySet()) {
                    Tensor got = python.get("step" + k + "/" + w.getKey());
                    assertTrue(mode + ": PyTorch lacks " + w.getKey(), got != null);
                    float[] want = w.getValue();
                    assertEquals(want.length, got.values().length);
                    float[] before = init.get(w.getKey()).values();
                    for (int i = 0; i < want.length; i++) {
                        if (isKeyBias(w.getKey(), i)) {
                            // d loss / d key bias is exactly 0 (it shifts a whole row of scores and softmax ignores
                            // that), so each engine's "gradient" there is rounding noise, which Adam scales up to
                            // about lr * noise / (|noise| + eps); the key bias never changes any output
                            continue;
                        }
                        assertEquals(mode + " step " + k + " " + w.getKey() + "[" + i + "]", want[i],
                                got.values()[i], WEIGHT_TOLERANCE);
                        worstWeight = Math.max(worstWeight, Math.abs(want[i] - got.values()[i]));
                        moved = Math.max(moved, Math.abs(want[i] - before[i]));
                    }
                }
                assertTrue(mode + " step " + k + ": the weights must move (" + moved + ")", moved > 1e-4);
            }
            System.out.printf("%s: PyTorch vs DJL over %d steps: loss rel. diff <= %.2e, weights |diff| <= %.2e%n",
                    mode.cliName(), STEPS.length, worstLoss, worstWeight);
            if (mode == TrainingMode.ALIGNED) {
                // both step kinds ran: the aligned sum at step 0 is not the last-layer CE of the standard mode
                assertTrue(Math.abs(expected.losses()[0] - djl.get(TrainingMode.STANDARD).losses()[0]) > 1e-3);
            }
        }
    }

    /** The key part [D, 2D) of a block's qkv bias. */
    private static boolean isKeyBias(String timmName, int index) {
        return timmName.matches("blocks\\.\\d+\\.attn\\.qkv\\.bias") && index >= MODEL.dim()
                && index < 2 * MODEL.dim();
    }

    /** Two steps of the exporter's DJL trainer from its own initialisation; writes that initialisation (timm). */
    private static Trajectory djlSteps(TrainingMode mode, float[] pixels, Path init) throws Exception {
        TrainingOptions options = new TrainingOptions(mode, 1, BATCH, LRS[0], WEIGHT_DECAY, TrainingOptions.COSINE,
                0f, false, 1f, CLIP, 3, 1);
        Objective objective = new Objective(options, MODEL.depth());
        float[] losses = new float[STEPS.length];
        List<Map<String, float[]>> weights = new ArrayList<>();
        try (ElasticVit model = ElasticVit.initialize(MODEL, mode.headLayout(), 3);
             AdamW optimizer = new AdamW(model.trainableWeights(), WEIGHT_DECAY, CLIP);
             NDManager manager = NDManager.newBaseManager()) {
            TimmLayout.write(model, init);
            for (int k = 0; k < STEPS.length; k++) {
                try (NDManager sub = manager.newSubManager()) {
                    NDArray images = ElasticVit.torchOwned(sub.create(pixels, new Shape(BATCH, MODEL.channels(),
                            MODEL.imageSize(), MODEL.imageSize())));
                    NDArray oneHot = ElasticVit.torchOwned(sub.create(LABELS)).oneHot(MODEL.numClasses());
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDList features = model.forwardFeatures(images, true);
                        Objective.StepLoss loss = objective.loss(model, STEPS[k], features, oneHot);
                        losses[k] = loss.loss().getFloat();
                        collector.backward(loss.loss());
                    }
                }
                assertTrue(mode + ": DJL step " + k + " skipped", optimizer.step(LRS[k]));
                Map<String, float[]> byTimmName = new LinkedHashMap<>();
                model.namedWeights().forEach((name, values) -> byTimmName.put(TimmLayout.toTimm(name), values));
                weights.add(byTimmName);
            }
        }
        return new Trajectory(losses, weights);
    }
}
