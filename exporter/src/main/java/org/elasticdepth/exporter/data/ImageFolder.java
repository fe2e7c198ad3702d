package org.elasticdepth.exporter.data;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A labelled image set from a folder with one sub-folder per class ({@code root/<class>/*.jpg|jpeg|png}), so users
 * can train on their own photos. Classes are the sub-folder names in sorted order. Each image is centre-cropped to
 * a square, resized (bilinear) to {@code imageSize}, and converted to grey (1 channel, luma) or RGB (3 channels).
 */
public final class ImageFolder {

    private ImageFolder() {
    }

    /** True if {@code root} has at least one sub-folder (the layout this class reads). */
    public static boolean looksLikeImageFolder(Path root) {
        try (Stream<Path> children = Files.list(root)) {
            return children.anyMatch(Files::isDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    public static ImageSet load(Path root, int imageSize, int channels) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root.toAbsolutePath() + " does not exist");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image folders load as 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        List<Path> classDirs;
        try (Stream<Path> children = Files.list(root)) {
            classDirs = children.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (classDirs.size() < 2) {
            throw new DatasetException("image folder " + root.toAbsolutePath()
                    + " needs one sub-folder per class (at least 2), found " + classDirs.size());
        }
        List<String> classes = new ArrayList<>();
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < classDirs.size(); label++) {
            Path dir = classDirs.get(label);
            classes.add(dir.getFileName().toString());
            List<Path> files;
            try (Stream<Path> entries = Files.list(dir)) {
                files = entries.filter(ImageFolder::isImage).sorted().toList();
            } catch (IOException e) {
                throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new DatasetException("class folder " + dir.toAbsolutePath() + " holds no .jpg/.jpeg/.png image");
            }
            for (Path file : files) {
                pixels.writeBytes(toChw(read(file), imageSize, channels));
                labels.add(label);
            }
        }
        return new ImageSet(pixels.toByteArray(), labels.stream().mapToInt(Integer::intValue).toArray(), channels,
                imageSize, classes);
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"));
    }

    private static BufferedImage read(Path file) throws DatasetException {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new DatasetException(file + ": not a readable JPEG/PNG image");
            }
            return image;
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot decode (" + e.getMessage() + ")", e);
        }
    }

    /** Centre square crop, bilinear resize, CHW bytes. */
    static byte[] toChw(BufferedImage image, int size, int channels) {
        int side = Math.min(image.getWidth(), image.getHeight());
        int x0 = (image.getWidth() - side) / 2;
        int y0 = (image.getHeight() - side) / 2;
        BufferedImage resized = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
        g.dispose();
        byte[] out = new byte[channels * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = resized.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int gr = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                int i = y * size + x;
                if (channels == 1) {
                    out[i] = (byte) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                } else {
                    out[i] = (byte) r;
                    out[plane + i] = (byte) gr;
                    out[2 * plane + i] = (byte) b;
                }
            }
        }
        return out;
    }
}
