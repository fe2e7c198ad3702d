package org.elasticdepth.exporter.imports;

import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.RunConfig;
import org.elasticdepth.exporter.train.RunDirectory;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pretrained weights to start a fine-tune from ({@code train --init-from}): a run directory, or a timm-layout
 * safetensors checkpoint (read as {@code import} reads it).
 *
 * @param model         the pretrained architecture
 * @param headLayout    its head(s)
 * @param weights       contract-named weights
 * @param normalization the input normalisation the weights were trained with (kept: the features expect it)
 * @param labels        the pretrained head's classes
 */
public record InitFrom(VitConfig model, HeadLayout headLayout, Map<String, float[]> weights,
                       Normalization normalization, List<String> labels) {

    /**
     * @param heads attention heads for a safetensors file without a config.json (null otherwise)
     * @throws ImportException naming the tensor or setting that does not fit
     */
    public static InitFrom read(Path source, Integer heads) throws IOException {
        if (Files.isDirectory(source) && Files.isRegularFile(source.resolve(RunDirectory.CONFIG))
                && Files.isDirectory(source.resolve("checkpoint"))) {
            RunDirectory run = RunDirectory.open(source);
            try (ElasticVit model = run.loadModel()) {
                return new InitFrom(run.modelConfig(), run.mode().headLayout(), model.namedWeights(),
                        run.normalization(), run.labels());
            }
        }
        Path weights = CheckpointImporter.weightsFile(source);
        Optional<RunConfig> beside = CheckpointImporter.configBeside(source);
        Map<String, Tensor> tensors = TimmLayout.read(weights);
        CheckpointImporter.Overrides overrides = new CheckpointImporter.Overrides(heads, null, null, null, null, null,
                null, null);
        RunConfig config = CheckpointImporter.runConfig(tensors, beside, overrides, weights);
        HeadLayout layout = config.training().mode().headLayout();
        return new InitFrom(config.model(), layout,
                TimmLayout.toContract(tensors, config.model(), layout, weights.toString()), config.normalization(),
                config.labels());
    }

    /** True if the pretrained head(s) can be kept for {@code classes} classes under {@code layout}. */
    public boolean keepsHead(int classes, HeadLayout layout) {
        return classes == model.numClasses() && layout == headLayout;
    }

    /**
     * Starting weights for a model of {@code target} (the pretrained architecture with the data's classes): stem and
     * blocks from the checkpoint; the head(s) too when {@link #keepsHead}, otherwise fresh ones (LayerNorm gamma 1,
     * beta 0, Linear as {@link ElasticVit#initialize} draws it from {@code seed}).
     */
    public Map<String, float[]> startingWeights(VitConfig target, HeadLayout layout, long seed) {
        if (keepsHead(target.numClasses(), layout)) {
            return new LinkedHashMap<>(weights);
        }
        Map<String, float[]> start = new LinkedHashMap<>();
        try (ElasticVit fresh = ElasticVit.initialize(target, layout, seed)) {
            fresh.namedWeights().forEach((name, value) -> start.put(name,
                    name.startsWith("head") ? value : weights.get(name)));
        }
        return start;
    }
}
