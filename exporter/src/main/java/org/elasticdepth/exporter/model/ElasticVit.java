package org.elasticdepth.exporter.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A pre-LayerNorm Vision Transformer whose CLS feature can be classified after every block: the elastic model
 * the exporter trains, analyses and cuts into per-block graphs.
 *
 * <h2>Architecture contract (the TFLite export reproduces it op for op)</h2>
 * <ol>
 *   <li>Input {@code x}: NCHW float32 [B, C, S, S], already normalised: {@code (pixel / 255 - mean[c]) / std[c]}
 *       with the per-channel mean/std stored in the run's {@code config.json}.</li>
 *   <li>Stem: {@code Conv2d(C -> D, kernel p, stride p, bias)} gives [B, D, g, g] (g = S / p), reshaped to
 *       [B, D, N] and transposed to [B, N, D]; token i is the patch at row i / g, column i % g (row-major).
 *       The CLS parameter [1, 1, D] is prepended (token 0), the position parameter [1, N + 1, D] is added,
 *       then dropout (training only).</li>
 *   <li>Blocks l = 1..L, pre-LN with residuals (the paper's eq. 1):
 *       {@code x = x + proj(MHA(LN1(x)))}; {@code x = x + fc2(GELU(fc1(LN2(x))))} (dropout after proj and fc2
 *       when training). MHA: one {@code qkv} Linear(D -> 3D, bias) whose output splits as [q | k | v], each D
 *       wide; head h owns columns h*dh .. (h+1)*dh - 1 of each (dh = D / heads);
 *       {@code softmax(q k^T / sqrt(dh)) v} per head, heads concatenated in order, then {@code proj}
 *       Linear(D -> D, bias). GELU is PyTorch's default, the exact erf form
 *       {@code 0.5 x (1 + erf(x / sqrt 2))} (DJL's {@link Activation#gelu} calls {@code torch.nn.functional.gelu}
 *       with no approximation; checked by a unit test). Every LayerNorm normalises the last axis with
 *       eps = {@link VitConfig#layerNormEps()} (1e-5).</li>
 *   <li>The CLS feature after block l is {@code h_l = x[:, 0, :]}. There is no final norm besides the head's.</li>
 *   <li>Exit head: {@code LayerNorm(D)} then {@code Linear(D -> C)}; one shared head ({@link HeadLayout#SHARED})
 *       or one per layer ({@link HeadLayout#PER_LAYER}).</li>
 * </ol>
 *
 * <h2>Weight names ({@link #namedWeights()}, {@link #weightShapes()}), DJL's natural layouts</h2>
 * <pre>
 * stem.patch.weight [D, C, p, p]     stem.patch.bias [D]
 * stem.cls          [1, 1, D]        stem.pos        [1, N + 1, D]
 * block{l}.ln1.gamma / .beta [D]                       (l = 1..L, 1-based)
 * block{l}.attn.qkv.weight [3D, D]   block{l}.attn.qkv.bias [3D]     (Linear weights are [out, in])
 * block{l}.attn.proj.weight [D, D]   block{l}.attn.proj.bias [D]
 * block{l}.ln2.gamma / .beta [D]
 * block{l}.mlp.fc1.weight [mlpDim, D]  block{l}.mlp.fc1.bias [mlpDim]
 * block{l}.mlp.fc2.weight [D, mlpDim]  block{l}.mlp.fc2.bias [D]
 * head.ln.gamma / .beta [D]   head.fc.weight [C, D]   head.fc.bias [C]     (shared head)
 * head{l}.ln.gamma ... head{l}.fc.bias                                      (per-layer heads instead)
 * </pre>
 * Arrays are row-major (C order) float32.
 *
 * <h2>Threads and memory</h2>
 * Not thread-safe: use one instance per thread. The weights live in native memory owned by this object;
 * {@link #close()} frees them. Arrays computed by {@link #forwardFeatures} and {@link #exitLogits} belong to the
 * manager of the input array, so a caller that runs each batch in its own sub-manager frees everything per batch.
 */
public final class ElasticVit implements AutoCloseable {

    private static final float INIT_STD = 0.02f;

    private final VitConfig config;
    private final HeadLayout headLayout;
    private final NDManager manager;
    private final Map<String, NDArray> weights;
    /** 1 / sqrt(head dim) as a tensor in libtorch's memory (see {@link #constant}). */
    private final NDArray attentionScale;

    private ElasticVit(VitConfig config, HeadLayout headLayout, NDManager manager, Map<String, NDArray> weights) {
        this.config = config;
        this.headLayout = headLayout;
        this.manager = manager;
        this.weights = weights;
        this.attentionScale = constant(manager, (float) (1 / Math.sqrt(config.headDim())));
    }

    /**
     * A scalar for use inside the autograd graph. Never pass a Java number to an op there: DJL's PyTorch engine
     * turns it into a tensor over a Java direct buffer and closes it right after the op, while autograd keeps
     * that tensor for the backward pass (d(x * c)/dx = c). Once the garbage collector frees the buffer, backward
     * reads whatever the memory holds by then: silently wrong gradients, and NaN.
     */
    public static NDArray constant(NDManager manager, float value) {
        return torchOwned(manager.create(value));
    }

    /**
     * A freshly initialised model. Initialisation draws from a Java {@link Random} seeded with {@code seed}, so it
     * is identical on every engine and machine: truncated normal with Xavier variance 2 / (in + out) for linear
     * weights (as the original ViT), std 0.02 for CLS and position, LeCun normal for the patch convolution, zero
     * biases, LayerNorm gamma 1 and beta 0.
     */
    public static ElasticVit initialize(VitConfig config, HeadLayout headLayout, long seed) {
        Random random = new Random(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : shapes(config, headLayout).entrySet()) {
            values.put(entry.getKey(), initialValue(config, entry.getKey(), entry.getValue(), random));
        }
        return fromWeights(config, headLayout, values);
    }

    /**
     * A model holding the given weights (as returned by {@link #namedWeights()}).
     *
     * @throws InputShapeException if a weight is missing, unexpected, or of the wrong size
     */
    public static ElasticVit fromWeights(VitConfig config, HeadLayout headLayout, Map<String, float[]> values) {
        Map<String, long[]> shapes = shapes(config, headLayout);
        for (String name : values.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new InputShapeException("unexpected weight '" + name + "' for a " + headLayout
                        + " model of depth " + config.depth());
            }
        }
        NDManager manager = NDManager.newBaseManager();
        Map<String, NDArray> weights = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
                float[] value = values.get(entry.getKey());
                Shape shape = new Shape(entry.getValue());
                if (value == null) {
                    throw new InputShapeException("missing weight '" + entry.getKey() + "'");
                }
                if (value.length != shape.size()) {
                    throw new InputShapeException("weight '" + entry.getKey() + "' has " + value.length
                            + " values, the model expects shape " + shape + " (" + shape.size() + ")");
                }
                NDArray array = torchOwned(manager.create(value, shape));
                array.setRequiresGradient(true);
                weights.put(entry.getKey(), array);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        return new ElasticVit(config, headLayout, manager, weights);
    }

    /** Names and shapes of every weight of a model, in a stable order (stem, blocks 1..L, head(s)). */
    public static Map<String, long[]> shapes(VitConfig c, HeadLayout headLayout) {
        long d = c.dim();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("stem.patch.weight", new long[] {d, c.channels(), c.patchSize(), c.patchSize()});
        s.put("stem.patch.bias", new long[] {d});
        s.put("stem.cls", new long[] {1, 1, d});
        s.put("stem.pos", new long[] {1, c.tokens(), d});
        for (int l = 1; l <= c.depth(); l++) {
            String b = "block" + l + ".";
            s.put(b + "ln1.gamma", new long[] {d});
            s.put(b + "ln1.beta", new long[] {d});
            s.put(b + "attn.qkv.weight", new long[] {3 * d, d});
            s.put(b + "attn.qkv.bias", new long[] {3 * d});
            s.put(b + "attn.proj.weight", new long[] {d, d});
            s.put(b + "attn.proj.bias", new long[] {d});
            s.put(b + "ln2.gamma", new long[] {d});
            s.put(b + "ln2.beta", new long[] {d});
            s.put(b + "mlp.fc1.weight", new long[] {c.mlpDim(), d});
            s.put(b + "mlp.fc1.bias", new long[] {c.mlpDim()});
            s.put(b + "mlp.fc2.weight", new long[] {d, c.mlpDim()});
            s.put(b + "mlp.fc2.bias", new long[] {d});
        }
        int headCount = headLayout == HeadLayout.SHARED ? 1 : c.depth();
        for (int h = 1; h <= headCount; h++) {
            String p = headLayout.prefix(h) + ".";
            s.put(p + "ln.gamma", new long[] {d});
            s.put(p + "ln.beta", new long[] {d});
            s.put(p + "fc.weight", new long[] {c.numClasses(), d});
            s.put(p + "fc.bias", new long[] {c.numClasses()});
        }
        return s;
    }

    public VitConfig config() {
        return config;
    }

    public HeadLayout headLayout() {
        return headLayout;
    }

    /** A copy of every weight, by contract name, row-major float32. */
    public Map<String, float[]> namedWeights() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        weights.forEach((name, array) -> copy.put(name, array.toFloatArray()));
        return copy;
    }

    /** The shape of every weight, by contract name. */
    public Map<String, long[]> weightShapes() {
        return shapes(config, headLayout);
    }

    /** The live, trainable weight arrays (for the optimiser); do not close them. */
    public Map<String, NDArray> trainableWeights() {
        return Collections.unmodifiableMap(weights);
    }

    /** Total number of scalar weights. */
    public long parameterCount() {
        return weights.values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * The CLS feature [B, D] after each block, for a normalised NCHW batch.
     *
     * @param training enables dropout (when configured)
     * @throws InputShapeException if the batch is not [B, C, S, S] for this model
     */
    public NDList forwardFeatures(NDArray images, boolean training) {
        checkImages(images.getShape());
        long batch = images.getShape().get(0);
        NDManager batchManager = images.getManager();
        int d = config.dim();

        NDArray patches = Conv2d.conv2d(images, w("stem.patch.weight"), w("stem.patch.bias"),
                new Shape(config.patchSize(), config.patchSize())).singletonOrThrow();
        patches = patches.reshape(batch, d, config.patches()).transpose(0, 2, 1);
        // zeros(..).add(cls) keeps the broadcast CLS on the batch's manager (an op's result belongs to its
        // first operand's manager; deriving it from the parameter would leak one array per step)
        NDArray cls = batchManager.zeros(new Shape(batch, 1, d)).add(w("stem.cls"));
        NDArray x = NDArrays.concat(new NDList(cls, patches), 1).add(w("stem.pos"));
        x = dropout(x, training);

        NDList features = new NDList(config.depth());
        for (int l = 1; l <= config.depth(); l++) {
            x = block(x, l, training);
            // A view, not duplicate(): on the PyTorch engine duplicate() detaches the copy from the autograd graph,
            // so the exit losses would train only the head (ElasticVitTest guards this).
            features.add(x.get(new NDIndex(":, 0, :")));
        }
        return features;
    }

    /**
     * Exit logits of every layer, stacked [L, B, C]: the shared head applied to each feature (in one batched call),
     * or head l applied to feature l.
     */
    public NDArray exitLogits(NDList features) {
        if (features.size() != config.depth()) {
            throw new InputShapeException("expected " + config.depth() + " features, got " + features.size());
        }
        if (headLayout == HeadLayout.SHARED) {
            return head("head", NDArrays.stack(features));
        }
        NDList logits = new NDList(features.size());
        for (int l = 1; l <= features.size(); l++) {
            logits.add(head(headLayout.prefix(l), features.get(l - 1)));
        }
        return NDArrays.stack(logits);
    }

    /** The exit head of layer {@code layer} (1-based) applied to features [.., D]. */
    public NDArray exitLogits(int layer, NDArray feature) {
        return head(headLayout.prefix(layer), feature);
    }

    /**
     * Per-layer CLS features and exit logits for a batch of normalised NCHW images, in inference mode
     * (no dropout, no gradient).
     *
     * @param images {@code batch * C * S * S} floats, NCHW
     * @throws InputShapeException if the array length does not match
     */
    public LayerOutputs infer(float[] images, int batch) {
        if (batch <= 0 || images.length != (long) batch * config.imageFloats()) {
            throw new InputShapeException("expected " + batch + " images of " + config.channels() + "x"
                    + config.imageSize() + "x" + config.imageSize() + " (" + (long) batch * config.imageFloats()
                    + " floats), got " + images.length + " floats");
        }
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = torchOwned(sub.create(images, new Shape(batch, config.channels(), config.imageSize(),
                    config.imageSize())));
            NDList features = forwardFeatures(x, false);
            NDArray logits = exitLogits(features);
            int layers = config.depth();
            float[][][] f = new float[layers][][];
            float[][][] z = new float[layers][][];
            for (int l = 0; l < layers; l++) {
                f[l] = rows(features.get(l).toFloatArray(), batch, config.dim());
                z[l] = rows(logits.get(l).toFloatArray(), batch, config.numClasses());
            }
            return new LayerOutputs(f, z);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    private NDArray block(NDArray x, int l, boolean training) {
        String b = "block" + l + ".";
        NDArray attention = attention(layerNorm(x, b + "ln1"), b);
        x = x.add(dropout(attention, training));
        NDArray hidden = Activation.gelu(linear(layerNorm(x, b + "ln2"), b + "mlp.fc1"));
        return x.add(dropout(linear(hidden, b + "mlp.fc2"), training));
    }

    private NDArray attention(NDArray x, String b) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long tokens = shape.get(1);
        int heads = config.heads();
        int dh = config.headDim();
        // [B, N, 3D] -> [B, N, 3, H, dh] -> [3, B, H, N, dh]: the [q | k | v] split, head-major inside each
        NDArray qkv = linear(x, b + "attn.qkv").reshape(batch, tokens, 3, heads, dh).transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(attentionScale).softmax(-1);
        NDArray merged = scores.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, config.dim());
        return linear(merged, b + "attn.proj");
    }

    private NDArray head(String prefix, NDArray feature) {
        return linear(layerNorm(feature, prefix + ".ln"), prefix + ".fc");
    }

    private NDArray linear(NDArray x, String prefix) {
        return Linear.linear(x, w(prefix + ".weight"), w(prefix + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String prefix) {
        return LayerNorm.layerNorm(x, new Shape(config.dim()), w(prefix + ".gamma"), w(prefix + ".beta"),
                config.layerNormEps()).singletonOrThrow();
    }

    private NDArray dropout(NDArray x, boolean training) {
        if (!training || config.dropout() == 0f) {
            return x;
        }
        return Dropout.dropout(x, config.dropout(), true).singletonOrThrow();
    }

    private NDArray w(String name) {
        return weights.get(name);
    }

    private void checkImages(Shape shape) {
        if (shape.dimension() != 4 || shape.get(1) != config.channels() || shape.get(2) != config.imageSize()
                || shape.get(3) != config.imageSize()) {
            throw new InputShapeException("the model expects images [B, " + config.channels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "] (channels " + config.channels()
                    + ", size " + config.imageSize() + "), got " + shape);
        }
        if (shape.get(0) == 0) {
            throw new InputShapeException("empty batch");
        }
    }

    /**
     * A copy in memory the engine owns. DJL's PyTorch engine wraps a Java direct buffer (from_blob) for arrays created
     * from Java data; a clone keeps long-lived and autograd-saved tensors off Java-managed memory.
     */
    public static NDArray torchOwned(NDArray created) {
        NDArray copy = created.duplicate();
        created.close();
        return copy;
    }

    private static float[][] rows(float[] flat, int rows, int cols) {
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * cols, out[r], 0, cols);
        }
        return out;
    }

    private static float[] initialValue(VitConfig c, String name, long[] shape, Random random) {
        int size = 1;
        for (long s : shape) {
            size *= (int) s;
        }
        float[] value = new float[size];
        if (name.endsWith(".gamma")) {
            Arrays.fill(value, 1f);
        } else if (name.endsWith(".bias") || name.endsWith(".beta")) {
            return value;
        } else {
            double std;
            if (name.equals("stem.patch.weight")) {
                std = 1.0 / Math.sqrt((double) c.channels() * c.patchSize() * c.patchSize());
            } else if (name.endsWith(".weight")) {
                std = Math.sqrt(2.0 / (shape[0] + shape[1])); // Xavier (Glorot), as the original ViT
            } else {
                std = INIT_STD;
            }
            for (int i = 0; i < size; i++) {
                value[i] = (float) (truncatedGaussian(random) * std);
            }
        }
        return value;
    }

    /** A standard normal draw truncated to [-2, 2]. */
    private static double truncatedGaussian(Random random) {
        double g;
        do {
            g = random.nextGaussian();
        } while (Math.abs(g) > 2);
        return g;
    }
}
