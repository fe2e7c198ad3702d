package org.elasticdepth.exporter.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The empirical check of the guaranteed calibration: split a labelled pool many times into a calibration part and
 * a test part, calibrate on the first, measure on the second, and count how often the promise was broken. Pure
 * computation on cached {@link LayerPredictions}; deterministic for a seed.
 *
 * <p>Three calibrations are compared on every split, all for the same eps: <b>guaranteed</b> (Clopper-Pearson +
 * fixed-sequence testing on the disagreement with full depth, at confidence 1 - delta); <b>naive disagreement</b>
 * (the fastest threshold whose calibration disagreement rate is at most eps: the same loss, point estimate); and
 * <b>naive accuracy</b> (today's {@code calibrate}: the fastest threshold whose calibration accuracy is within eps of
 * full depth). A split violates when the test disagreement rate, or the test accuracy drop, exceeds eps.
 */
public final class GuaranteeStudy {
    /** One (eps, delta) pair to study. */
    public record Setting(double eps, double delta) {
        public Setting {
            if (!(eps > 0 && eps < 1) || !(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("eps and delta must be in (0, 1), got eps " + eps + ", delta " + delta);
            }
        }
    }

    /** How the threshold is chosen on the calibration part. */
    public enum Method { GUARANTEED, NAIVE_DISAGREEMENT, NAIVE_ACCURACY }

    /**
     * One split's outcome for one method.
     *
     * @param threshold       the chosen threshold, NaN for full depth (nothing certified or admissible)
     * @param testDisagreement disagreement rate with full depth on the test part
     * @param testAccuracyDrop full-depth minus early-exit accuracy on the test part
     * @param testSpeedUp     L / mean exit layer on the test part
     */
    public record Trial(double threshold, double testDisagreement, double testAccuracyDrop, double testSpeedUp) {
    }

    /** All splits of one setting and method. */
    public record Summary(Setting setting, Method method, List<Trial> trials) {
        public long disagreementViolations() {
            return trials.stream().filter(t -> t.testDisagreement() > setting.eps()).count();
        }

        public long accuracyDropViolations() {
            return trials.stream().filter(t -> t.testAccuracyDrop() > setting.eps()).count();
        }

        public double mean(java.util.function.ToDoubleFunction<Trial> f) {
            return trials.stream().mapToDouble(f).average().orElse(Double.NaN);
        }

        /** Share of splits where something exits early (a threshold was chosen). */
        public double exitingShare() {
            return (double) trials.stream().filter(t -> !Double.isNaN(t.threshold())).count() / trials.size();
        }
    }

    private final LayerPredictions pool;
    private final double[] thresholds;
    private final boolean[][] disagrees; // [threshold][image]
    private final boolean[][] correct; // [threshold][image] early-exit prediction correct
    private final int[][] exitLayer; // [threshold][image], 1-based
    private final boolean[] fullCorrect;

    /**
     * @param pool       every labelled image available (e.g. validation + test)
     * @param thresholds increasing thresholds in (0, 1]
     */
    public GuaranteeStudy(LayerPredictions pool, double[] thresholds) {
        this.pool = pool;
        this.thresholds = thresholds.clone();
        int n = pool.size();
        int last = pool.layers() - 1;
        disagrees = new boolean[thresholds.length][n];
        correct = new boolean[thresholds.length][n];
        exitLayer = new int[thresholds.length][n];
        fullCorrect = new boolean[n];
        for (int i = 0; i < n; i++) {
            fullCorrect[i] = pool.predicted()[last][i] == pool.labels()[i];
        }
        for (int j = 0; j < thresholds.length; j++) {
            if (j > 0 && !(thresholds[j] > thresholds[j - 1])) {
                throw new IllegalArgumentException("thresholds must increase, got " + Arrays.toString(thresholds));
            }
            for (int i = 0; i < n; i++) {
                int exit = ExitSimulation.exitLayer(pool.confidence(), i, thresholds[j]);
                int prediction = pool.predicted()[exit][i];
                disagrees[j][i] = prediction != pool.predicted()[last][i];
                correct[j][i] = prediction == pool.labels()[i];
                exitLayer[j][i] = exit + 1;
            }
        }
    }

    /**
     * @param splits           random calibration/test splits
     * @param calibrationSize  images in each calibration part; the rest is the test part
     * @param settings         (eps, delta) pairs
     * @param seed             seed of the splits
     * @return one summary per setting and method, settings in order, methods in {@link Method} order
     */
    public List<Summary> run(int splits, int calibrationSize, List<Setting> settings, long seed) {
        int n = pool.size();
        if (splits < 1) {
            throw new IllegalArgumentException("need at least one split, got " + splits);
        }
        if (calibrationSize < 1 || calibrationSize >= n) {
            throw new IllegalArgumentException("calibration size must be in 1.." + (n - 1) + " of " + n + " images, got "
                    + calibrationSize);
        }
        for (Setting s : settings) {
            int needed = ClopperPearson.minimumSamples(s.eps(), s.delta());
            if (calibrationSize < needed) {
                throw new IllegalArgumentException("eps " + s.eps() + ", delta " + s.delta() + " needs at least " + needed
                        + " calibration images, got " + calibrationSize);
            }
        }
        List<List<List<Trial>>> trials = new ArrayList<>(); // [setting][method] -> trials
        for (int s = 0; s < settings.size(); s++) {
            List<List<Trial>> byMethod = new ArrayList<>();
            for (int m = 0; m < Method.values().length; m++) {
                byMethod.add(new ArrayList<>());
            }
            trials.add(byMethod);
        }
        Random random = new Random(seed);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int split = 0; split < splits; split++) {
            for (int i = n - 1; i > 0; i--) {
                int k = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[k];
                order[k] = t;
            }
            int[] cal = Arrays.copyOfRange(order, 0, calibrationSize);
            int[] test = Arrays.copyOfRange(order, calibrationSize, n);
            Part calPart = part(cal);
            Part testPart = part(test);
            for (int s = 0; s < settings.size(); s++) {
                Setting setting = settings.get(s);
                for (Method method : Method.values()) {
                    int j = choose(method, calPart, setting);
                    trials.get(s).get(method.ordinal()).add(trial(j, testPart));
                }
            }
        }
        List<Summary> out = new ArrayList<>();
        for (int s = 0; s < settings.size(); s++) {
            for (Method method : Method.values()) {
                out.add(new Summary(settings.get(s), method, List.copyOf(trials.get(s).get(method.ordinal()))));
            }
        }
        return out;
    }

    /** Per-threshold counts over a set of images. */
    private record Part(int size, int[] disagreements, int[] correct, long[] exitLayerSum, int fullCorrect) {
    }

    private Part part(int[] images) {
        int[] d = new int[thresholds.length];
        int[] c = new int[thresholds.length];
        long[] e = new long[thresholds.length];
        int full = 0;
        for (int i : images) {
            if (fullCorrect[i]) {
                full++;
            }
        }
        for (int j = 0; j < thresholds.length; j++) {
            for (int i : images) {
                if (disagrees[j][i]) {
                    d[j]++;
                }
                if (correct[j][i]) {
                    c[j]++;
                }
                e[j] += exitLayer[j][i];
            }
        }
        return new Part(images.length, d, c, e, full);
    }

    /** Index of the chosen threshold, -1 for full depth. */
    private int choose(Method method, Part cal, Setting setting) {
        switch (method) {
            case GUARANTEED:
                return FixedSequenceTest.run(cal.disagreements(), cal.size(), setting.eps(), setting.delta()).certified();
            case NAIVE_DISAGREEMENT:
                for (int j = 0; j < thresholds.length; j++) { // lowest threshold = fastest
                    if (cal.disagreements()[j] <= setting.eps() * cal.size()) {
                        return j;
                    }
                }
                return -1;
            case NAIVE_ACCURACY:
                for (int j = 0; j < thresholds.length; j++) {
                    if (cal.correct()[j] >= cal.fullCorrect() - setting.eps() * cal.size() - 1e-9) {
                        return j;
                    }
                }
                return -1;
            default:
                throw new AssertionError(method);
        }
    }

    private Trial trial(int j, Part test) {
        if (j < 0) {
            return new Trial(Double.NaN, 0, 0, 1);
        }
        double n = test.size();
        double speedUp = pool.layers() / (test.exitLayerSum()[j] / n);
        return new Trial(thresholds[j], test.disagreements()[j] / n, (test.fullCorrect() - test.correct()[j]) / n, speedUp);
    }
}
