package org.elasticdepth.exporter.data;

import org.elasticdepth.runtime.InputTranslator;
import org.elasticdepth.runtime.bundle.BundleManifest.Input;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Image files -> model-sized pixels, with the runtime's own resampling ({@link InputTranslator}): evaluation images
 * are centre-cropped and resized exactly as the manifest's input spec tells the runtime to ({@code center-crop}), up
 * to the rounding to 8 bits; training images may instead take a random resized crop (torchvision's
 * RandomResizedCrop: 8-100 % of the area, aspect 3/4-4/3) resized the same way. Files are decoded on
 * {@link #THREADS} threads so a training step is not starved.
 */
public final class PictureDecoder {
    /** Decoding threads: every core (the trainer's PyTorch threads wait for the batch anyway). */
    public static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService POOL = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "image-decoder");
        t.setDaemon(true);
        return t;
    });

    /** A decoded picture: row-major ARGB. */
    public record Picture(int[] argb, int width, int height) {
    }

    private PictureDecoder() {
    }

    /** @throws ImageDecodeException naming the file if it is not a readable JPEG/PNG */
    public static Picture decode(Path file) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(file + ": cannot decode (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new ImageDecodeException(file + ": not a readable JPEG/PNG image", null);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        return new Picture(image.getRGB(0, 0, w, h, null, 0, w), w, h);
    }

    /**
     * Writes {@code picture} as CHW bytes of {@code size x size x channels} into {@code out} at {@code offset}:
     * centre-cropped when {@code cropSeed} is null, else a random resized crop drawn from {@code new
     * Random(cropSeed)}.
     */
    public static void toChw(Picture picture, int size, int channels, Long cropSeed, byte[] out, int offset) {
        Picture source = cropSeed == null ? picture : randomResizedCrop(picture, new Random(cropSeed));
        Input raw = new Input("NHWC", size, size, channels, 1f, new float[channels], ones(channels),
                cropSeed == null ? "center-crop" : "stretch");
        float[] hwc = InputTranslator.of(raw).translate(source.argb(), source.width(), source.height());
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                out[offset + c * plane + i] = (byte) Math.max(0, Math.min(255, Math.round(hwc[i * channels + c])));
            }
        }
    }

    /** Decodes {@code files} on the decoding threads into consecutive CHW images of {@code out}. */
    public static void decodeAll(List<Path> files, long[] cropSeeds, int size, int channels, byte[] out) {
        int n = channels * size * size;
        List<Future<?>> pending = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            int index = i;
            Long seed = cropSeeds == null ? null : cropSeeds[i];
            pending.add(POOL.submit(() -> toChw(decode(files.get(index)), size, channels, seed, out, index * n)));
        }
        for (Future<?> f : pending) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageDecodeException("interrupted while decoding images", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new ImageDecodeException(e.getCause().toString(), e.getCause());
            }
        }
    }

    /** torchvision's RandomResizedCrop region (scale 0.08-1, log-uniform ratio 3/4-4/3, 10 tries, else centre). */
    static Picture randomResizedCrop(Picture p, Random random) {
        double area = (double) p.width() * p.height();
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (0.08 + random.nextDouble() * 0.92);
            double ratio = Math.exp(Math.log(3.0 / 4) + random.nextDouble() * (Math.log(4.0 / 3) - Math.log(3.0 / 4)));
            int w = (int) Math.round(Math.sqrt(target * ratio));
            int h = (int) Math.round(Math.sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= p.width() && h <= p.height()) {
                int x0 = random.nextInt(p.width() - w + 1);
                int y0 = random.nextInt(p.height() - h + 1);
                return region(p, x0, y0, w, h);
            }
        }
        int side = Math.min(p.width(), p.height());
        return region(p, (p.width() - side) / 2, (p.height() - side) / 2, side, side);
    }

    private static Picture region(Picture p, int x0, int y0, int w, int h) {
        int[] argb = new int[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(p.argb(), (y0 + y) * p.width() + x0, argb, y * w, w);
        }
        return new Picture(argb, w, h);
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    /** An image file that cannot be decoded (unchecked: it surfaces from inside a training or evaluation pass). */
    public static final class ImageDecodeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ImageDecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
