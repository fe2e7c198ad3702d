package org.elasticdepth.exporter.train;

import org.elasticdepth.exporter.data.DataSpec;
import org.elasticdepth.exporter.data.DataSplits;
import org.elasticdepth.exporter.data.ImageSet;
import org.elasticdepth.exporter.model.VitConfig;

import java.util.List;
import java.util.Random;

/** Small learnable 28x28 grey images for fast training tests: four bright shapes at random places on noise. */
final class SyntheticData {
    static final List<String> CLASSES = List.of("horizontal", "vertical", "cross", "square");

    private SyntheticData() {
    }

    /** A 6x6 shape (class-specific) in a random patch on noise: learnable from patch content alone. */
    static ImageSet images(int n, long seed) {
        Random random = new Random(seed);
        byte[] pixels = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(CLASSES.size());
            labels[i] = label;
            // inside one 7x7 patch, chosen at random: the class is in a patch's content, not its position
            int y0 = 7 * random.nextInt(4) + random.nextInt(2);
            int x0 = 7 * random.nextInt(4) + random.nextInt(2);
            for (int p = 0; p < 784; p++) {
                pixels[i * 784 + p] = (byte) random.nextInt(60);
            }
            for (int dy = 0; dy < 6; dy++) {
                for (int dx = 0; dx < 6; dx++) {
                    boolean on = switch (label) {
                        case 0 -> dy == 2 || dy == 3;
                        case 1 -> dx == 2 || dx == 3;
                        case 2 -> dy == 2 || dy == 3 || dx == 2 || dx == 3;
                        default -> dy == 0 || dy == 5 || dx == 0 || dx == 5;
                    };
                    if (on) {
                        pixels[i * 784 + (y0 + dy) * 28 + x0 + dx] = (byte) (180 + random.nextInt(70));
                    }
                }
            }
        }
        return new ImageSet(pixels, labels, 1, 28, CLASSES);
    }

    static DataSplits splits() {
        return new DataSplits(images(256, 1), images(128, 2), images(128, 3));
    }

    static VitConfig tinyModel() {
        return new VitConfig(28, 1, 7, 16, 3, 2, 32, CLASSES.size(), 0f, VitConfig.DEFAULT_LAYER_NORM_EPS);
    }

    static RunConfig config(TrainingMode mode, int epochs, float lr, long seed) {
        TrainingOptions options = new TrainingOptions(mode, epochs, 32, lr, 0.01f, TrainingOptions.COSINE, 0f, false,
                1f, 1f, seed, 1);
        DataSpec spec = new DataSpec(DataSpec.FASHION_MNIST, null, 128, 0.1, seed, "none");
        ImageSet train = splits().train();
        return new RunConfig(RunConfig.FORMAT_VERSION, tinyModel(), options, spec, train.statistics(), CLASSES);
    }
}
