package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.Normalization;
import org.elasticdepth.exporter.model.VitConfig;

import java.util.List;

/**
 * Everything needed to rebuild a run's model and data: the run's {@code config.json}.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param model         the architecture
 * @param training      hyper-parameters, mode and seed
 * @param data          data source and splits
 * @param normalization per-channel mean/std (of pixel / 255) applied to every input
 * @param labels        class names, index = class id
 */
public record RunConfig(int formatVersion, VitConfig model, TrainingOptions training, DataSpec data,
                        Normalization normalization, List<String> labels) {
    public static final int FORMAT_VERSION = 1;

    public RunConfig {
        if (model == null || training == null || data == null || normalization == null || labels == null) {
            throw new IllegalArgumentException("config.json needs model, training, data, normalization and labels");
        }
        if (labels.size() != model.numClasses()) {
            throw new IllegalArgumentException(labels.size() + " labels for a model of " + model.numClasses()
                    + " classes");
        }
        if (normalization.channels() != model.channels()) {
            throw new IllegalArgumentException("normalisation has " + normalization.channels()
                    + " channels, the model " + model.channels());
        }
        labels = List.copyOf(labels);
    }
}
