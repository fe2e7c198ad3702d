package org.elasticdepth.runtime;

import java.util.Locale;
import org.elasticdepth.runtime.bundle.Precision;
import org.elasticdepth.runtime.spi.Accelerator;

/**
 * Which of a bundle's precisions a classifier runs, and why: reported by {@link
 * ElasticClassifier#precision()}, in every {@link DepthPlan} and so in every {@link Classification}.
 *
 * @param precision the precision whose graphs are loaded
 * @param accelerator the accelerator the executor prefers, which the choice was made for
 * @param accuracyDrop how many accuracy points (as a fraction: 0.004 = 0.4 points) the chosen
 *     precision loses against the bundle's float graphs at its worst layer, on the exporter's
 *     validation split; 0 for a float precision, NaN when the bundle does not say
 * @param reason one sentence for logs and overlays
 */
public record PrecisionChoice(Precision precision, Accelerator accelerator, double accuracyDrop, String reason) {
  @Override
  public String toString() {
    return precision.label() + " for " + accelerator.name().toLowerCase(Locale.ROOT) + ": " + reason;
  }
}
