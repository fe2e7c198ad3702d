package org.elasticdepth.exporter.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Writes a small labelled image folder for tests: one sub-folder per class, PNGs of noise with a coloured square
 * (the class is the square's colour) at a random place, so a tiny ViT learns it in a few epochs.
 */
public final class SyntheticFolder {
    private static final int[][] COLOURS = {{220, 40, 40}, {40, 200, 40}, {40, 60, 230}, {220, 220, 40}, {210, 40, 210}};
    private static final List<String> NAMES = List.of("red", "green", "blue", "yellow", "magenta");

    private SyntheticFolder() {
    }

    /** {@code perClass} images of {@code size} x {@code size} for each of the first {@code classes} colours. */
    public static Path write(Path root, int classes, int perClass, int size, long seed) throws IOException {
        return write(root, classes, perClass, size, seed, 1.0);
    }

    /** As above, with the square's colour only {@code contrast} (0-1) of the way from grey: harder to tell apart. */
    public static Path write(Path root, int classes, int perClass, int size, long seed, double contrast)
            throws IOException {
        Random random = new Random(seed);
        for (int c = 0; c < classes; c++) {
            Path dir = Files.createDirectories(root.resolve(NAMES.get(c)));
            for (int i = 0; i < perClass; i++) {
                BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int grey = 60 + random.nextInt(80);
                        image.setRGB(x, y, grey << 16 | grey << 8 | grey);
                    }
                }
                int side = size / 2;
                int x0 = random.nextInt(size - side + 1);
                int y0 = random.nextInt(size - side + 1);
                for (int y = y0; y < y0 + side; y++) {
                    for (int x = x0; x < x0 + side; x++) {
                        int[] rgb = COLOURS[c];
                        int jitter = random.nextInt(30) - 15;
                        image.setRGB(x, y, toward(rgb[0], contrast, jitter) << 16
                                | toward(rgb[1], contrast, jitter) << 8 | toward(rgb[2], contrast, jitter));
                    }
                }
                ImageIO.write(image, "png", dir.resolve(String.format("%03d.png", i)).toFile());
            }
        }
        return root;
    }

    private static int toward(int value, double contrast, int jitter) {
        return clamp((int) Math.round(100 + contrast * (value - 100)) + jitter);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
