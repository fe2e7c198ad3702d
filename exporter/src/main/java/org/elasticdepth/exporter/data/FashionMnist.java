package org.elasticdepth.exporter.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Fashion-MNIST from its IDX files ({train,t10k}-{images-idx3,labels-idx1}-ubyte.gz): 28x28 grey images,
 * 10 classes. Never downloads: the files come from an explicit directory, the {@code FASHION_MNIST_DIR}
 * environment variable, or the Debian package {@code dataset-fashion-mnist}
 * ({@value #DEBIAN_DIR}).
 *
 * <p>For reuse by other tools (export verification, benchmarks): {@code FashionMnist.test(FashionMnist.locate(null))}
 * gives the 10,000 test images; {@link ImageSet#normalized} turns a range into model-ready NCHW floats.
 */
public final class FashionMnist {
    public static final String ENV_VAR = "FASHION_MNIST_DIR";
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String DEBIAN_PACKAGE = "dataset-fashion-mnist";
    public static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int IMAGE_SIZE = 28;

    private FashionMnist() {
    }

    /**
     * The directory holding the four files: {@code explicit} if given, else {@code $FASHION_MNIST_DIR}, else the
     * Debian package's directory.
     *
     * @throws DatasetException naming every place looked in and the Debian package, if none has the files
     */
    public static Path locate(Path explicit) throws DatasetException {
        Set<Path> candidates = new LinkedHashSet<>();
        if (explicit != null) {
            candidates.add(explicit);
        } else {
            String env = System.getenv(ENV_VAR);
            if (env != null && !env.isBlank()) {
                candidates.add(Path.of(env));
            }
            candidates.add(Path.of(DEBIAN_DIR));
        }
        List<String> looked = new ArrayList<>();
        for (Path dir : candidates) {
            if (hasFiles(dir)) {
                return dir;
            }
            looked.add(dir.toAbsolutePath().toString());
        }
        throw new DatasetException("Fashion-MNIST not found: looked in " + String.join(", ", looked)
                + (explicit == null ? "" : " (given with --data; " + ENV_VAR + " and " + DEBIAN_DIR
                        + " are used when --data is absent)")
                + ". Each place needs train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                + " t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz. Install the Debian package "
                + DEBIAN_PACKAGE + " (apt-get install " + DEBIAN_PACKAGE + "), or set " + ENV_VAR
                + " / pass --data to a directory holding those files.");
    }

    /** The 60,000 training images. */
    public static ImageSet train(Path dir) throws DatasetException {
        return read(dir, "train");
    }

    /** The 10,000 test images. */
    public static ImageSet test(Path dir) throws DatasetException {
        return read(dir, "t10k");
    }

    /** Reads {@code <prefix>-images-idx3-ubyte[.gz]} and its labels from {@code dir}. */
    public static ImageSet read(Path dir, String prefix) throws DatasetException {
        IdxReader.IdxImages images = IdxReader.readImages(file(dir, prefix + "-images-idx3-ubyte"));
        int[] labels = IdxReader.readLabels(file(dir, prefix + "-labels-idx1-ubyte"));
        if (images.count() != labels.length) {
            throw new DatasetException(dir + ": " + prefix + " has " + images.count() + " images but "
                    + labels.length + " labels");
        }
        if (images.rows() != images.cols()) {
            throw new DatasetException(dir + ": " + prefix + " images are not square");
        }
        for (int label : labels) {
            if (label >= LABELS.size()) {
                throw new DatasetException(dir + ": " + prefix + " has label " + label + ", Fashion-MNIST has 10");
            }
        }
        return new ImageSet(images.pixels(), labels, 1, images.rows(), LABELS);
    }

    private static boolean hasFiles(Path dir) {
        for (String prefix : new String[] {"train", "t10k"}) {
            for (String kind : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
                if (!Files.isRegularFile(dir.resolve(prefix + kind + ".gz"))
                        && !Files.isRegularFile(dir.resolve(prefix + kind))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Path file(Path dir, String base) throws DatasetException {
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DatasetException("missing " + gz + " (or " + plain + ")");
    }
}
