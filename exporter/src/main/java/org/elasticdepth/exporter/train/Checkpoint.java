package org.elasticdepth.exporter.train;

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
}
