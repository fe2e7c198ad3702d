package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.model.ElasticVit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One saved training state: model weights (contract names), the optimiser's moments, and progress.
 *
 * @param weights   {@code ElasticVit} weights by contract name
 * @param optimizer AdamW state ({@link AdamW#state()})
 * @param state     progress and history
 */
public record Checkpoint(Map<String, TensorArchive.Tensor> weights, Map<String, TensorArchive.Tensor> optimizer,
                         TrainingState state) {

    /** A copy of the model's weights as checkpoint tensors. */
    public static Map<String, TensorArchive.Tensor> weightsOf(ElasticVit model) {
        Map<String, TensorArchive.Tensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = model.weightShapes();
        model.namedWeights().forEach((name, values) -> tensors.put(name, new TensorArchive.Tensor(shapes.get(name),
                values)));
        return tensors;
    }
}
