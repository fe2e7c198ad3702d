package org.elasticdepth.exporter.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter) over named weights, with its moments exposed so a checkpoint can save and restore
 * them exactly (DJL's optimisers keep theirs private, which would make {@code --resume} restart the moments).
 * Matches PyTorch's {@code torch.optim.AdamW}: {@code w *= 1 - lr * wd}; {@code w -= lr / (1 - b1^t) * m /
 * (sqrt(v) / sqrt(1 - b2^t) + eps)}. Weight decay applies to matrices and convolution kernels only (names ending
 * in {@code .weight}); biases, norms, CLS and position embeddings are not decayed.
 *
 * <p>Not thread-safe. Call {@link #step} outside a gradient collector; it also zeroes the gradients.
 */
public final class AdamW implements AutoCloseable {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final String STEP_KEY = "t";
    private static final NDIndex ALL = new NDIndex("...");

    private final Map<String, NDArray> weights;
    private final float weightDecay;
    private final float maxGradNorm;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long t;

    /**
     * @param maxGradNorm clip the global gradient norm to this before the update (0 = no clipping); guards the
     *                    small transformer against the loss spikes that otherwise end in NaN
     */
    public AdamW(Map<String, NDArray> weights, float weightDecay, float maxGradNorm) {
        this.weights = weights;
        this.weightDecay = weightDecay;
        this.maxGradNorm = maxGradNorm;
        this.stateManager = NDManager.newBaseManager();
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            firstMoments.put(e.getKey(), stateManager.zeros(e.getValue().getShape()));
            secondMoments.put(e.getKey(), stateManager.zeros(e.getValue().getShape()));
        }
    }

    /**
     * Applies one update with learning rate {@code lr} from the weights' accumulated gradients, then zeroes them.
     * A gradient with a non-finite norm is dropped instead (the weights and moments stay as they were), as mixed
     * precision loss scalers do, so one bad batch cannot poison the model.
     *
     * @return whether the update was applied
     */
    public boolean step(float lr) {
        try (NDManager scratch = stateManager.newSubManager()) {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                NDArray g = e.getValue().getGradient();
                g.attach(scratch);
                gradients.put(e.getKey(), g);
            }
            float norm = globalNorm(gradients, scratch);
            if (!Float.isFinite(norm)) {
                // Overwrite, not multiply: NaN * 0 is still NaN and would poison the next accumulation. Through
                // indexing, so the values are copied into the gradient's own storage: set(float[]) would re-point
                // it at a Java direct buffer that dies with this scratch wrapper (a use-after-free in backward).
                gradients.values().forEach(g -> g.set(ALL, 0f));
                return false;
            }
            t++;
            float bias1 = 1 - (float) Math.pow(BETA1, t);
            float sqrtBias2 = (float) Math.sqrt(1 - Math.pow(BETA2, t));
            float scale = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6f) : 1f;
            for (Map.Entry<String, NDArray> e : weights.entrySet()) {
                NDArray w = e.getValue();
                NDArray g = gradients.get(e.getKey());
                if (scale < 1f) {
                    g.muli(scale);
                }
                NDArray m = firstMoments.get(e.getKey());
                NDArray v = secondMoments.get(e.getKey());
                m.muli(BETA1).addi(g.mul(1 - BETA1));
                v.muli(BETA2).addi(g.square().muli(1 - BETA2));
                // results of ops on state arrays belong to the state manager: move them to the scratch one
                NDArray denominator = scratch(v.sqrt(), scratch).divi(sqrtBias2).addi(EPSILON);
                NDArray update = scratch(m.div(denominator), scratch).muli(lr / bias1);
                if (weightDecay > 0 && e.getKey().endsWith(".weight")) {
                    w.muli(1 - lr * weightDecay);
                }
                w.subi(update);
                g.muli(0f);
            }
            return true;
        }
    }

    /** The global L2 norm of all gradients (clipping brings it down to {@code maxGradNorm}). */
    private static float globalNorm(Map<String, NDArray> gradients, NDManager scratch) {
        NDArray total = scratch.zeros(new ai.djl.ndarray.types.Shape());
        for (NDArray g : gradients.values()) {
            total = total.add(g.square().sum());
        }
        return (float) Math.sqrt(total.getFloat());
    }

    /** Update count so far. */
    public long steps() {
        return t;
    }

    /** The moments ({@code m/<name>}, {@code v/<name>}) and the step count ({@code t}), for a checkpoint. */
    public Map<String, TensorArchive.Tensor> state() {
        Map<String, TensorArchive.Tensor> state = new LinkedHashMap<>();
        state.put(STEP_KEY, new TensorArchive.Tensor(new long[] {1}, new float[] {t}));
        firstMoments.forEach((name, m) -> state.put("m/" + name, tensor(m)));
        secondMoments.forEach((name, v) -> state.put("v/" + name, tensor(v)));
        return state;
    }

    /**
     * Restores {@link #state()}.
     *
     * @throws CheckpointException if a moment is missing or has the wrong size
     */
    public void load(Map<String, TensorArchive.Tensor> state) throws CheckpointException {
        TensorArchive.Tensor step = state.get(STEP_KEY);
        if (step == null || step.values().length != 1) {
            throw new CheckpointException("optimiser state lacks its step count");
        }
        for (String name : weights.keySet()) {
            restore(state, "m/" + name, firstMoments.get(name));
            restore(state, "v/" + name, secondMoments.get(name));
        }
        t = (long) step.values()[0];
    }

    @Override
    public void close() {
        stateManager.close();
    }

    private static NDArray scratch(NDArray array, NDManager scratch) {
        array.attach(scratch);
        return array;
    }

    private static TensorArchive.Tensor tensor(NDArray array) {
        return new TensorArchive.Tensor(array.getShape().getShape(), array.toFloatArray());
    }

    private void restore(Map<String, TensorArchive.Tensor> state, String key, NDArray target)
            throws CheckpointException {
        TensorArchive.Tensor saved = state.get(key);
        if (saved == null || saved.values().length != target.size()) {
            throw new CheckpointException("optimiser state '" + key + "' is missing or has the wrong size");
        }
        target.set(saved.values());
    }
}
