package org.elasticdepth.exporter.calibrate;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.util.List;

/**
 * The exit calibration of a run ({@code RUN_DIR/calibration.json}), measured on the validation split (never the
 * test split). Copied into the bundle manifest by the export.
 *
 * @param split              always {@code "validation"}
 * @param samples            validation images used
 * @param layerAccuracy      accuracy of the exit at every layer (index 0 = layer 1)
 * @param fullDepthAccuracy  accuracy at the last layer (no early exit)
 * @param targetDrop         the accuracy drop (absolute, e.g. 0.01 = 1 point) the chosen threshold may cost
 * @param chosen             the frontier point with the highest speed-up within {@code targetDrop}
 * @param frontier           every threshold swept, in increasing threshold order, with exit histogram, capped
 *                           accuracies and loss bound ({@link Calibrator})
 * @param guarantee          how the loss bounds were made and the threshold certified for their eps; null in
 *                           calibrations written before guarantees existed
 */
public record Calibration(String split, int samples, double[] layerAccuracy, double fullDepthAccuracy,
                          double targetDrop, FrontierPoint chosen, List<FrontierPoint> frontier,
                          Guarantee guarantee) {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    public Calibration {
        if (layerAccuracy == null || frontier == null || frontier.isEmpty() || chosen == null) {
            throw new IllegalArgumentException("calibration needs layer accuracies, a frontier and a chosen point");
        }
        frontier = List.copyOf(frontier);
        layerAccuracy = layerAccuracy.clone();
    }

    /** The chosen max-softmax exit threshold. */
    public double chosenThreshold() {
        return chosen.threshold();
    }

    @Override
    public double[] layerAccuracy() {
        return layerAccuracy.clone();
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static Calibration fromJson(String json) {
        Calibration c = GSON.fromJson(json, Calibration.class);
        if (c == null) {
            throw new IllegalArgumentException("empty calibration JSON");
        }
        return c;
    }
}
