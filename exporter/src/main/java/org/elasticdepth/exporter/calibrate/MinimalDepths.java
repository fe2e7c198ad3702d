package org.elasticdepth.exporter.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.MinimalDepth;

/**
 * The task's minimal depths the exporter reports and exports: the smallest depth whose validation accuracy is within
 * half a point and within one point of full depth (the rule itself is {@link MinimalDepth#smallestWithin}).
 */
public final class MinimalDepths {
    /** Accuracy drops, absolute and ascending: 0.5 and 1 point. */
    public static final List<Double> DROPS = List.of(0.005, 0.01);

    private MinimalDepths() {
    }

    /** One minimal depth per {@link #DROPS} entry, from the validation accuracy of each layer's exit. */
    public static List<MinimalDepth> of(double[] validationAccuracy) {
        List<Double> accuracy = Arrays.stream(validationAccuracy).boxed().toList();
        List<MinimalDepth> depths = new ArrayList<>();
        for (double drop : DROPS) {
            depths.add(new MinimalDepth(drop, MinimalDepth.smallestWithin(accuracy, drop)));
        }
        return depths;
    }
}
