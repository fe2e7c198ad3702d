package org.elasticdepth.exporter.ddp;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** A tiny learnable image folder (train/ and test/, one folder per class) of 20x18 RGB PNGs: a bar, a cross or a
 *  dot in a class colour at a random place on noise. Not square and not the model's 16x16, so reading them
 *  exercises the centre crop and the bilinear resize. */
final class TinyImageFolder {
    static final List<String> CLASSES = List.of("bar", "cross", "dot");
    static final int SIZE = 16; // the model's input side
    private static final int WIDTH = 20;
    private static final int HEIGHT = 18;

    private TinyImageFolder() {
    }

    static Path write(Path root, int trainPerClass, int testPerClass, long seed) throws IOException {
        Random random = new Random(seed);
        for (String split : List.of("train", "test")) {
            int count = split.equals("train") ? trainPerClass : testPerClass;
            for (int label = 0; label < CLASSES.size(); label++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve(CLASSES.get(label)));
                for (int i = 0; i < count; i++) {
                    ImageIO.write(image(label, random), "png", dir.resolve(String.format("%03d.png", i)).toFile());
                }
            }
        }
        return root;
    }

    private static BufferedImage image(int label, Random random) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                int v = random.nextInt(60);
                image.setRGB(x, y, (v << 16) | (random.nextInt(60) << 8) | random.nextInt(60));
            }
        }
        int x0 = 2 + random.nextInt(WIDTH - 9); // inside the centre crop
        int y0 = random.nextInt(HEIGHT - 5);
        int colour = new int[] {0xf04030, 0x30f040, 0x4030f0}[label];
        for (int d = 0; d < 5; d++) {
            switch (label) {
                case 0 -> image.setRGB(x0 + 2, y0 + d, colour);
                case 1 -> {
                    image.setRGB(x0 + 2, y0 + d, colour);
                    image.setRGB(x0 + d, y0 + 2, colour);
                }
                default -> {
                    for (int e = 0; e < 3; e++) {
                        if (d < 3) {
                            image.setRGB(x0 + d, y0 + e, colour);
                        }
                    }
                }
            }
        }
        return image;
    }
}
