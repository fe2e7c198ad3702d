package org.elasticdepth.exporter.calibrate;

import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses an exit threshold from validation outputs: sweeps max-softmax thresholds, keeps the accuracy / mean exit
 * layer / speed-up / exit histogram of each (the frontier), and picks either the fastest threshold whose accuracy
 * stays within the target drop of full-depth accuracy (a point estimate), or the guaranteed one.
 *
 * <p><b>Guaranteed calibration.</b> The loss of an image is 1 when its early-exit prediction differs from the
 * full-depth prediction, else 0 (disagreement). Why this loss: it is a 0/1 loss per image, so the number of losses
 * on n calibration images is binomial and the exact Clopper-Pearson bound applies (an accuracy <em>difference</em>
 * per image takes values -1, 0, 1 and has no exact binomial bound); it bounds the accuracy drop from above, because
 * the early exit can only lose accuracy on images where it disagrees with full depth (drop = P(early wrong, full
 * right) - P(early right, full wrong) <= P(disagree)); and it needs no labels, so it can be re-checked on
 * unlabelled data from the device. Each threshold's bound is recorded in the frontier and fixed-sequence testing
 * ({@link FixedSequenceTest}, Learn-then-Test) picks the loosest threshold whose disagreement rate, hence accuracy
 * drop, is at most eps with probability at least 1 - delta over the draw of the calibration set.
 */
public final class Calibrator {
    /** Confidence of the loss bounds when none is asked for. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    private Calibrator() {
    }

    /**
     * What the guaranteed calibration is asked for.
     *
     * @param maxLoss    eps: the disagreement rate (and so accuracy drop) to guarantee, in (0, 1)
     * @param confidence 1 - delta, in (0, 1)
     * @param required   whether the guaranteed threshold is the chosen one; then too few samples are an error
     */
    public record GuaranteeRequest(double maxLoss, double confidence, boolean required) {
        public GuaranteeRequest {
            if (!(maxLoss > 0 && maxLoss < 1)) {
                throw new IllegalArgumentException("the guaranteed accuracy drop (eps) must be in (0, 1), got " + maxLoss);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("the confidence (1 - delta) must be in (0, 1), got " + confidence);
            }
        }

        public double delta() {
            return 1 - confidence;
        }
    }

    /**
     * The default sweep: 0.30 to 0.75 by 0.05, then 0.76 to 0.99 by 0.01, 0.995 and 0.999. The fine steps are where
     * the guaranteed thresholds of useful drops (0.5-2 points) lie for these models: fixed-sequence testing pays
     * nothing for extra thresholds, and with 0.05 steps it must stop at the strict side of a wide gap (measured on
     * the default model, docs/results/guarantee: 2.35x instead of 2.43x at eps 0.01). Latency targets also get
     * more configurations to choose from.
     */
    public static double[] defaultThresholds() {
        List<Double> t = new ArrayList<>();
        for (int i = 30; i <= 75; i += 5) {
            t.add(i / 100.0);
        }
        for (int i = 76; i <= 99; i++) {
            t.add(i / 100.0);
        }
        t.add(0.995);
        t.add(0.999);
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The point-estimate calibration, with loss bounds at {@link #DEFAULT_CONFIDENCE} for eps = {@code targetDrop}
     * recorded but not required.
     *
     * @param probabilities {@code [L][n][C]} validation softmax outputs of each layer's exit
     * @param labels        validation labels
     * @param targetDrop    accepted accuracy loss versus full depth, absolute (0.01 = one point)
     * @param thresholds    increasing thresholds in (0, 1]
     */
    public static Calibration calibrate(float[][][] probabilities, int[] labels, double targetDrop,
                                        double[] thresholds) {
        return calibrate(LayerPredictions.of(probabilities, labels), targetDrop, thresholds,
                new GuaranteeRequest(Math.max(targetDrop, 1e-6), DEFAULT_CONFIDENCE, false));
    }

    /**
     * @param outputs    validation predictions and confidences of every layer
     * @param targetDrop accepted accuracy loss of the point-estimate choice, in [0, 1)
     * @param thresholds increasing thresholds in (0, 1]
     * @param guarantee  the guaranteed calibration's eps and confidence; when {@code required}, its threshold is
     *                   the chosen one
     * @throws IllegalArgumentException for a bad drop or threshold list, or, when the guarantee is required, fewer
     *                                  validation images than any certificate at that eps and confidence needs
     */
    public static Calibration calibrate(LayerPredictions outputs, double targetDrop, double[] thresholds,
                                        GuaranteeRequest guarantee) {
        if (!(targetDrop >= 0 && targetDrop < 1)) {
            throw new IllegalArgumentException("target accuracy drop must be in [0, 1), got " + targetDrop);
        }
        if (thresholds.length == 0) {
            throw new IllegalArgumentException("no thresholds to sweep");
        }
        int n = outputs.size();
        if (guarantee.required()) {
            int needed = ClopperPearson.minimumSamples(guarantee.maxLoss(), guarantee.delta());
            if (n < needed) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "a guarantee of accuracy drop <= %s with "
                        + "confidence %s needs at least %d calibration images (n >= ln(delta) / ln(1 - eps), where "
                        + "zero losses give the bound 1 - delta^(1/n)); the validation split has %d: use more "
                        + "validation images, a larger drop or a lower confidence", guarantee.maxLoss(),
                        guarantee.confidence(), needed, n));
            }
        }
        int layers = outputs.layers();
        double[] layerAccuracy = new double[layers];
        for (int l = 0; l < layers; l++) {
            int correct = 0;
            for (int i = 0; i < n; i++) {
                if (outputs.predicted()[l][i] == outputs.labels()[i]) {
                    correct++;
                }
            }
            layerAccuracy[l] = (double) correct / n;
        }
        double full = layerAccuracy[layers - 1];
        List<ExitSimulation.Outcome> outcomes = new ArrayList<>();
        double previous = Double.NEGATIVE_INFINITY;
        for (double threshold : thresholds) {
            if (!(threshold > 0 && threshold <= 1) || threshold <= previous) {
                throw new IllegalArgumentException("thresholds must increase within (0, 1], got " + threshold);
            }
            previous = threshold;
            outcomes.add(ExitSimulation.simulate(outputs, threshold));
        }
        int[] losses = outcomes.stream().mapToInt(ExitSimulation.Outcome::disagreements).toArray();
        FixedSequenceTest.Result test = FixedSequenceTest.run(losses, n, guarantee.maxLoss(), guarantee.delta());
        List<FrontierPoint> frontier = new ArrayList<>();
        for (int j = 0; j < outcomes.size(); j++) {
            FrontierPoint p = outcomes.get(j).toFrontierPoint();
            frontier.add(new FrontierPoint(p.threshold(), p.accuracy(), p.meanExitLayer(), p.speedUp(), p.exitCounts(),
                    p.accuracyByDepthCap(), new LossBound(n, losses[j], test.upperBounds()[j])));
        }
        Double certified = test.certified() < 0 ? null : frontier.get(test.certified()).threshold();
        Guarantee recorded = new Guarantee(Guarantee.DISAGREEMENT, guarantee.confidence(), guarantee.maxLoss(), certified);

        // never exiting early (threshold above 1) is always admissible: the full-depth fallback
        FrontierPoint fullDepth = new FrontierPoint(1.0, full, layers, 1.0);
        FrontierPoint chosen = fullDepth;
        if (guarantee.required()) {
            chosen = test.certified() < 0 ? fullDepth : frontier.get(test.certified());
        } else {
            for (FrontierPoint p : frontier) {
                if (p.accuracy() >= full - targetDrop - 1e-12 && p.speedUp() > chosen.speedUp()) {
                    chosen = p;
                }
            }
        }
        return new Calibration("validation", n, layerAccuracy, full, targetDrop, chosen, frontier, recorded);
    }
}
