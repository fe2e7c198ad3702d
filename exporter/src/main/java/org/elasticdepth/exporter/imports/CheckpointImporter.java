package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.AdamW;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.Checkpoint;
import org.elasticdepth.exporter.train.CheckpointStore;
import org.elasticdepth.exporter.train.RunConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.RunDirectoryException;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;
import org.elasticdepth.exporter.train.TrainingMode;
import org.elasticdepth.exporter.train.TrainingOptions;
import org.elasticdepth.exporter.train.TrainingState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A timm-layout safetensors checkpoint -> a run directory that every other command accepts.
 *
 * <p>The model's shape comes from, in order of precedence: the caller's {@link Overrides}, a {@code config.json}
 * beside the weights (a run config, as the exporter and its PyTorch trainer write), and the tensors themselves
 * (width, channels, patch, tokens, depth, MLP width, classes, shared or per-layer heads). The number of attention
 * heads and the LayerNorm epsilon are not visible in the tensors: heads must come from the config or a flag,
 * epsilon defaults to timm's 1e-6. Every disagreement is an {@link ImportException} naming the tensor.
 */
public final class CheckpointImporter {
    /** timm's ViT LayerNorm epsilon. */
    public static final float TIMM_LAYER_NORM_EPS = 1e-6f;
    /** ImageNet mean/std (timm's DeiT default) for 3-channel models without a config. */
    static final Normalization IMAGENET = new Normalization(new float[] {0.485f, 0.456f, 0.406f},
            new float[] {0.229f, 0.224f, 0.225f});
    static final String WEIGHTS_FILE = "model.safetensors";

    /** Values given on the command line; null = not given. */
    public record Overrides(Integer heads, Integer imageSize, Integer patch, Float layerNormEps,
                            List<String> labels, Normalization normalization, TrainingMode mode, DataSpec data) {
        public static Overrides none() {
            return new Overrides(null, null, null, null, null, null, null, null);
        }
    }

    /** What an import produced. */
    public record Imported(RunConfig config, long parameters, Path weights) {
    }

    private CheckpointImporter() {
    }

    /**
     * Imports {@code source} (a {@code .safetensors} file, or a directory holding {@code model.safetensors} and
     * optionally {@code config.json}) into the new run directory {@code out}, written completely in a temporary
     * sibling and then renamed, so a failure leaves nothing behind.
     *
     * @throws ImportException        the checkpoint does not fit (the message names the tensor or the setting)
     * @throws RunDirectoryException  {@code out} already exists, or the config.json beside the weights is invalid
     */
    public static Imported importRun(Path source, Path out, Overrides overrides) throws IOException {
        if (Files.exists(out)) {
            throw new RunDirectoryException(out.toAbsolutePath() + " already exists; choose another --out");
        }
        Path weights = weightsFile(source);
        Optional<RunConfig> beside = configBeside(source);
        Map<String, Tensor> tensors = TimmLayout.read(weights);
        RunConfig config = runConfig(tensors, beside, overrides, weights);
        Map<String, float[]> values = TimmLayout.toContract(tensors, config.model(),
                config.training().mode().headLayout(), weights.toString());

        Path tmp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".import-tmp");
        deleteRecursively(tmp);
        long parameters;
        try {
            RunDirectory.writeConfig(tmp, config);
            try (ElasticVit model = ElasticVit.fromWeights(config.model(), config.training().mode().headLayout(),
                    values);
                 AdamW fresh = new AdamW(model.trainableWeights(), config.training().weightDecay(),
                         config.training().gradientClip())) {
                parameters = model.parameterCount();
                new CheckpointStore(tmp).save(new Checkpoint(Checkpoint.weightsOf(model), fresh.state(),
                        new TrainingState(0, 0, List.of())));
            }
            AtomicFiles.moveAtomically(tmp, out.toAbsolutePath());
        } finally {
            deleteRecursively(tmp);
        }
        return new Imported(config, parameters, weights);
    }

    /** The model shape, labels, normalisation and mode of an import (see the class comment for precedence). */
    static RunConfig runConfig(Map<String, Tensor> tensors, Optional<RunConfig> beside, Overrides o, Path where)
            throws ImportException {
        String w = where.toString();
        if (tensors.containsKey("dist_token") || tensors.containsKey("head_dist.weight")) {
            throw new ImportException(w + ": tensor 'dist_token' belongs to a distilled DeiT (two tokens and a "
                    + "distillation head), which an elastic bundle cannot represent; import the non-distilled "
                    + "checkpoint (deit_*_patch16_224, not deit_*_distilled_*)");
        }
        long[] patchWeight = shape(tensors, "patch_embed.proj.weight", 4, w);
        if (patchWeight[2] != patchWeight[3]) {
            throw new ImportException(w + ": tensor 'patch_embed.proj.weight' has non-square patches "
                    + Arrays.toString(patchWeight));
        }
        int dim = (int) patchWeight[0];
        int channels = (int) patchWeight[1];
        int tensorPatch = (int) patchWeight[2];
        long[] pos = shape(tensors, "pos_embed", 3, w);
        int grid = (int) Math.round(Math.sqrt(pos[1] - 1));
        if (pos[0] != 1 || pos[1] < 2 || (long) grid * grid != pos[1] - 1 || pos[2] != dim) {
            throw new ImportException(w + ": tensor 'pos_embed' has shape " + Arrays.toString(pos)
                    + ", expected [1, g*g + 1, " + dim + "] (a square grid of patches plus the CLS token)");
        }
        boolean perLayer = tensors.keySet().stream().anyMatch(n -> n.startsWith("heads."));
        int depth = 0;
        while (tensors.containsKey("blocks." + depth + ".norm1.weight")) {
            depth++;
        }
        if (depth == 0) {
            throw new ImportException(w + ": missing tensor 'blocks.0.norm1.weight' (no transformer blocks)");
        }
        int mlpDim = (int) shape(tensors, "blocks.0.mlp.fc1.weight", 2, w)[0];
        int classes = (int) shape(tensors, perLayer ? "heads.0.fc.weight" : "head.weight", 2, w)[0];

        VitConfig base = beside.map(RunConfig::model).orElse(null);
        Integer heads = o.heads() != null ? o.heads() : base != null ? Integer.valueOf(base.heads()) : null;
        if (heads == null) {
            throw new ImportException(w + ": the number of attention heads cannot be read from the tensors; pass "
                    + "--heads N (DeiT-Tiny 3, DeiT-Small 6, DeiT-Base 12) or put the run's config.json beside the "
                    + "weights");
        }
        int patch = o.patch() != null ? o.patch() : base != null ? base.patchSize() : tensorPatch;
        if (patch != tensorPatch) {
            throw new ImportException(w + ": tensor 'patch_embed.proj.weight' " + Arrays.toString(patchWeight)
                    + " has patch size " + tensorPatch + ", the configuration says " + patch);
        }
        int imageSize = o.imageSize() != null ? o.imageSize() : base != null ? base.imageSize() : grid * patch;
        if (imageSize != grid * patch) {
            throw new ImportException(w + ": tensor 'pos_embed' " + Arrays.toString(pos) + " holds a " + grid + "x"
                    + grid + " grid of patch " + patch + " (" + grid * patch + "x" + grid * patch
                    + " images), the configuration says " + imageSize + "x" + imageSize
                    + " (position embeddings are not interpolated)");
        }
        float eps = o.layerNormEps() != null ? o.layerNormEps()
                : base != null ? base.layerNormEps() : TIMM_LAYER_NORM_EPS;
        float dropout = base != null ? base.dropout() : 0f;
        VitConfig model;
        try {
            model = new VitConfig(imageSize, channels, patch, dim, depth, heads, mlpDim, classes, dropout, eps);
        } catch (IllegalArgumentException e) {
            throw new ImportException(w + ": " + e.getMessage(), e);
        }
        if (base != null && (base.dim() != dim || base.depth() != depth || base.mlpDim() != mlpDim
                || base.channels() != channels || base.numClasses() != classes)) {
            throw new ImportException(w + ": the tensors describe " + TimmLayout.describe(model,
                    perLayer ? HeadLayout.PER_LAYER : HeadLayout.SHARED) + ", but the config.json beside them says "
                    + base);
        }

        TrainingMode mode = o.mode() != null ? o.mode()
                : beside.map(c -> c.training().mode()).orElse(perLayer ? TrainingMode.MULTIHEAD : TrainingMode.ALIGNED);
        if ((mode.headLayout() == HeadLayout.PER_LAYER) != perLayer) {
            throw new ImportException(w + ": mode " + mode.cliName() + " needs " + (perLayer ? "one shared head "
                    + "(norm.*, head.*), but the checkpoint has per-layer heads (heads.N.*)"
                    : "per-layer heads (heads.N.*), but the checkpoint has one shared head (norm.*, head.*)"));
        }
        List<String> labels = o.labels() != null ? o.labels()
                : beside.map(RunConfig::labels).orElseGet(() -> numberedLabels(classes));
        if (labels.size() != classes) {
            throw new ImportException(w + ": " + labels.size() + " labels for a head of " + classes
                    + " classes (tensor '" + (perLayer ? "heads.0.fc.weight" : "head.weight") + "')");
        }
        Normalization normalization = o.normalization() != null ? o.normalization()
                : beside.map(RunConfig::normalization).orElse(channels == 3 ? IMAGENET
                        : new Normalization(new float[] {0.5f}, new float[] {0.5f}));
        if (normalization.channels() != channels) {
            throw new ImportException(w + ": normalisation has " + normalization.channels()
                    + " channels, tensor 'patch_embed.proj.weight' takes " + channels);
        }
        TrainingOptions training = beside.map(RunConfig::training)
                .map(t -> new TrainingOptions(mode, t.epochs(), t.batchSize(), t.learningRate(), t.weightDecay(),
                        t.schedule(), t.warmupEpochs(), t.alignedOnly(), t.cosregBeta(), t.gradientClip(), t.seed(),
                        t.threads()))
                .orElseGet(() -> fineTuneDefaults(mode));
        DataSpec data = o.data() != null ? o.data() : beside.map(RunConfig::data)
                .orElse(new DataSpec(DataSpec.NONE, null, 1, 0.1, 42, "none"));
        try {
            return new RunConfig(RunConfig.FORMAT_VERSION, model, training, data, normalization, labels);
        } catch (IllegalArgumentException e) {
            throw new ImportException(w + ": " + e.getMessage(), e);
        }
    }

    /** Training options recorded with an import: a short, gentle fine-tune (used by train --resume). */
    public static TrainingOptions fineTuneDefaults(TrainingMode mode) {
        return new TrainingOptions(mode, 5, 64, 2e-4f, 0.05f, TrainingOptions.COSINE, 0.5f, false, 1f,
                TrainingOptions.DEFAULT_GRADIENT_CLIP, 42, 0);
    }

    /** {@code SOURCE} itself if it is a file, else {@code SOURCE/model.safetensors}. */
    public static Path weightsFile(Path source) throws ImportException {
        if (Files.isDirectory(source)) {
            Path file = source.resolve(WEIGHTS_FILE);
            if (!Files.isRegularFile(file)) {
                throw new ImportException(source + " holds no " + WEIGHTS_FILE);
            }
            return file;
        }
        if (!Files.isRegularFile(source)) {
            throw new ImportException(source + " does not exist");
        }
        return source;
    }

    /** The run config.json beside the weights, if there is one. */
    static Optional<RunConfig> configBeside(Path source) throws RunDirectoryException {
        Path dir = Files.isDirectory(source) ? source : source.toAbsolutePath().getParent();
        if (dir == null || !Files.isRegularFile(dir.resolve(RunDirectory.CONFIG))) {
            return Optional.empty();
        }
        return Optional.of(RunDirectory.readConfig(dir));
    }

    private static long[] shape(Map<String, Tensor> tensors, String name, int rank, String where)
            throws ImportException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new ImportException(where + ": missing tensor '" + name + "'");
        }
        if (t.shape().length != rank) {
            throw new ImportException(where + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected rank " + rank);
        }
        return t.shape();
    }

    private static List<String> numberedLabels(int classes) {
        List<String> labels = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            labels.add("class_" + i);
        }
        return labels;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
