package org.elasticdepth.exporter.data;

import org.elasticdepth.runtime.InputTranslator;
import org.elasticdepth.runtime.benchmark.LabelledSample;
import org.elasticdepth.runtime.bundle.BundleManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A labelled image set from a folder with one sub-folder per class ({@code root/<class>/*.jpg|jpeg|png}), so users
 * can train on their own photos. Classes are the sub-folder names in sorted order. The set is streamed: only the
 * paths are held, and each image is decoded when a batch needs it ({@link PictureDecoder}: centre crop to a square and
 * bilinear resize with the runtime's own {@link InputTranslator}, as the manifest's {@code center-crop} input spec
 * says; grey = Rec. 601 luma).
 */
public final class ImageFolder {

    /** The files of a folder and their labels. */
    public record Listing(List<String> classes, List<Path> files, int[] labels) {
    }

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

    /** The folder's images, streamed at {@code imageSize} x {@code imageSize} with {@code channels} channels. */
    public static ImageSet load(Path root, int imageSize, int channels) throws DatasetException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("image folders load as 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        Listing listing = list(root);
        return ImageSet.streamed(listing.files(), listing.labels(), channels, imageSize, listing.classes());
    }

    /** Class sub-folders in sorted order and their .jpg/.jpeg/.png files in sorted order. */
    public static Listing list(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("image folder " + root.toAbsolutePath() + " does not exist");
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
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < classDirs.size(); label++) {
            Path dir = classDirs.get(label);
            classes.add(dir.getFileName().toString());
            List<Path> images;
            try (Stream<Path> entries = Files.list(dir)) {
                images = entries.filter(ImageFolder::isImage).sorted().toList();
            } catch (IOException e) {
                throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
            }
            if (images.isEmpty()) {
                throw new DatasetException("class folder " + dir.toAbsolutePath() + " holds no .jpg/.jpeg/.png image");
            }
            for (Path file : images) {
                files.add(file);
                labels.add(label);
            }
        }
        return new Listing(classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Up to {@code count} images of the folder (evenly spread over it, so every class is represented), each translated
     * for the bundle exactly as the runtime translates a picture ({@link InputTranslator} over the decoded file),
     * labelled by the bundle's label of its folder's name.
     *
     * @throws DatasetException if the folder's classes are not the bundle's labels or the samples would not fit in
     *                          memory
     */
    public static List<LabelledSample> samples(Path root, BundleManifest manifest, int count) throws DatasetException {
        Listing listing = list(root);
        if (!listing.classes().equals(manifest.labels())) {
            throw new DatasetException(root + ": the class folders " + listing.classes()
                    + " are not the bundle's labels " + manifest.labels());
        }
        int n = Math.min(count, listing.files().size());
        long bytes = (long) n * manifest.input().elementCount() * Float.BYTES;
        if (bytes > Runtime.getRuntime().maxMemory() / 2) {
            throw new DatasetException(n + " samples of " + manifest.input().elementCount() + " floats need "
                    + bytes / (1 << 20) + " MB, more than half the Java heap: pass fewer --samples (or a larger -Xmx)");
        }
        InputTranslator translator = InputTranslator.of(manifest.input());
        ExecutorService pool = Executors.newFixedThreadPool(PictureDecoder.THREADS);
        try {
            List<Future<LabelledSample>> pending = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = (int) ((long) i * listing.files().size() / n);
                Path file = listing.files().get(index);
                int label = listing.labels()[index];
                pending.add(pool.submit(() -> {
                    PictureDecoder.Picture p = PictureDecoder.decode(file);
                    return new LabelledSample(translator.translate(p.argb(), p.width(), p.height()), label);
                }));
            }
            List<LabelledSample> samples = new ArrayList<>(n);
            for (Future<LabelledSample> f : pending) {
                samples.add(f.get());
            }
            return samples;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("interrupted while decoding " + root, e);
        } catch (ExecutionException e) {
            throw new DatasetException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"));
    }
}
