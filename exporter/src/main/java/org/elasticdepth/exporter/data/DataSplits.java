package org.elasticdepth.exporter.data;

import org.elasticdepth.exporter.model.InputShapeException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * The three splits of a run: train, validation (for calibration, never the test split) and test.
 * {@link #load} rebuilds them deterministically from a {@link DataSpec}.
 */
public record DataSplits(ImageSet train, ImageSet validation, ImageSet test) {

    /**
     * Loads and splits the data described by {@code spec}, checking the images fit a model of the given input size.
     *
     * @throws DatasetException    if the data cannot be found or read
     * @throws InputShapeException if the images' size or channels differ from the model's
     */
    public static DataSplits load(DataSpec spec, int imageSize, int channels) throws DatasetException {
        ImageSet trainPool;
        ImageSet test;
        if (DataSpec.NONE.equals(spec.kind())) {
            throw new DatasetException("this run has no data (an import without --data): import it again with "
                    + "--data DIR, or fine-tune it on a folder with train --init-from RUN_DIR --data DIR");
        }
        if (DataSpec.FASHION_MNIST.equals(spec.kind())) {
            Path dir = FashionMnist.locate(spec.path() == null ? null : Path.of(spec.path()));
            if (imageSize != FashionMnist.IMAGE_SIZE || channels != 1) {
                throw new InputShapeException("Fashion-MNIST images are " + FashionMnist.IMAGE_SIZE + "x"
                        + FashionMnist.IMAGE_SIZE + " with 1 channel, but the model expects " + imageSize + "x"
                        + imageSize + " with " + channels + " channel(s); use --image-size 28 --channels 1");
            }
            trainPool = FashionMnist.train(dir);
            test = FashionMnist.test(dir);
        } else {
            Path root = Path.of(spec.path());
            if (Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("test"))) {
                trainPool = ImageFolder.load(root.resolve("train"), imageSize, channels);
                test = ImageFolder.load(root.resolve("test"), imageSize, channels);
                if (!trainPool.classes().equals(test.classes())) {
                    throw new DatasetException(root + ": train/ and test/ have different class folders "
                            + trainPool.classes() + " vs " + test.classes());
                }
            } else {
                ImageSet all = ImageFolder.load(root, imageSize, channels);
                int testCount = Math.max(1, (int) Math.round(all.size() * spec.testFraction()));
                ImageSet[] parts = split(all, testCount, spec.splitSeed() ^ 0x7e57L);
                test = parts[0];
                trainPool = parts[1];
            }
        }
        if (spec.validationSize() >= trainPool.size()) {
            throw new DatasetException("validation size " + spec.validationSize() + " leaves no training images (only "
                    + trainPool.size() + ")");
        }
        ImageSet[] parts = split(trainPool, spec.validationSize(), spec.splitSeed());
        return new DataSplits(parts[1], parts[0], test);
    }

    /** Seeded split: {@code [heldOut, rest]}, each keeping the original order. */
    static ImageSet[] split(ImageSet set, int heldOut, long seed) {
        int[] order = new int[set.size()];
        Arrays.setAll(order, i -> i);
        Random random = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] held = Arrays.copyOfRange(order, 0, heldOut);
        int[] rest = Arrays.copyOfRange(order, heldOut, order.length);
        Arrays.sort(held);
        Arrays.sort(rest);
        return new ImageSet[] {set.subset(held), set.subset(rest)};
    }
}
