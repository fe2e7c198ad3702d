package org.elasticdepth.exporter.data;

/**
 * Where a run's images come from and how they are split; stored in the run's {@code config.json} so evaluation,
 * analysis and calibration rebuild exactly the same splits.
 *
 * @param kind           {@link #FASHION_MNIST}, {@link #IMAGE_FOLDER}, or {@link #NONE} (an imported checkpoint with
 *                       no data yet: commands that need images say so)
 * @param path           directory given by the user, or null for the default Fashion-MNIST locations
 * @param validationSize images held out of the training data for validation and calibration
 * @param testFraction   for an image folder without {@code train/} and {@code test/} sub-folders: the share held
 *                       out as the test split
 * @param splitSeed      seed of the train/validation(/test) split
 * @param augmentation   training augmentation, as {@link Augmentation#parse} reads it
 */
public record DataSpec(String kind, String path, int validationSize, double testFraction, long splitSeed,
                       String augmentation) {
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String IMAGE_FOLDER = "image-folder";
    public static final String NONE = "none";

    public DataSpec {
        if (!FASHION_MNIST.equals(kind) && !IMAGE_FOLDER.equals(kind) && !NONE.equals(kind)) {
            throw new IllegalArgumentException("dataset kind must be " + FASHION_MNIST + ", " + IMAGE_FOLDER
                    + " or " + NONE + ", got " + kind);
        }
        if (IMAGE_FOLDER.equals(kind) && path == null) {
            throw new IllegalArgumentException("an image-folder dataset needs a path");
        }
        if (validationSize < 1) {
            throw new IllegalArgumentException("validation size must be at least 1, got " + validationSize);
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
    }

    /**
     * A short human description, e.g. for the report and the bundle's provenance. It names the data by its folder's
     * name, not its absolute path: what it says must hold on every machine that reads it.
     */
    public String describe() {
        if (NONE.equals(kind)) {
            return "none (imported checkpoint)";
        }
        return kind + (path == null ? " (Debian's dataset-fashion-mnist or $" + FashionMnist.ENV_VAR + ")"
                : " '" + folderName(path) + "'") + ", validation " + validationSize + ", split seed " + splitSeed;
    }

    private static String folderName(String path) {
        java.nio.file.Path name = java.nio.file.Path.of(path).getFileName();
        return name == null ? path : name.toString();
    }
}
