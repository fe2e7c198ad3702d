package org.elasticdepth.exporter.train;

/**
 * What one epoch achieved.
 *
 * @param epoch                   1-based epoch number
 * @param trainLoss               mean objective over the epoch's steps
 * @param trainAccuracy           last-layer accuracy on the (augmented) training batches
 * @param validationLayerAccuracy exit accuracy of every layer on the validation split
 * @param seconds                 wall time of the epoch's training steps
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double[] validationLayerAccuracy,
                           double seconds) {
}
