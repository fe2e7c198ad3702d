package org.elasticdepth.exporter.calibrate;

/**
 * One exit threshold's outcome on the validation split.
 *
 * @param threshold     exit at the first layer whose max softmax probability is at least this
 * @param accuracy      accuracy of the early-exit predictions
 * @param meanExitLayer mean 1-based exit layer
 * @param speedUp       sum(L * m_i) / sum(i * m_i), m_i = samples exiting at layer i
 */
public record FrontierPoint(double threshold, double accuracy, double meanExitLayer, double speedUp) {
}
