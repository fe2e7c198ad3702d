package org.elasticdepth.exporter.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of (Fashion-)MNIST: big-endian magic {@code 0x00000803} (unsigned-byte images,
 * 3 dimensions) or {@code 0x00000801} (labels), the dimension sizes, then the bytes. Files ending in
 * {@code .gz} are gunzipped on the fly.
 */
public final class IdxReader {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    /** Guards against absurd headers in corrupt files before allocating. */
    private static final long MAX_BYTES = 1L << 30;

    private IdxReader() {
    }

    /** Images as read: {@code count} images of {@code rows x cols} unsigned bytes, row-major. */
    public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    }

    public static IdxImages readImages(Path file) throws DatasetException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), IMAGES_MAGIC);
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            long bytes = (long) count * rows * cols;
            if (count < 0 || rows <= 0 || cols <= 0 || bytes > MAX_BYTES) {
                throw new DatasetException(file + ": implausible IDX image header " + count + "x" + rows + "x" + cols);
            }
            byte[] pixels = new byte[(int) bytes];
            in.readFully(pixels);
            return new IdxImages(count, rows, cols, pixels);
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated IDX image file", e);
        } catch (IOException e) {
            throw asDatasetException(file, e);
        }
    }

    public static int[] readLabels(Path file) throws DatasetException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, in.readInt(), LABELS_MAGIC);
            int count = in.readInt();
            if (count < 0 || count > MAX_BYTES) {
                throw new DatasetException(file + ": implausible IDX label count " + count);
            }
            byte[] raw = new byte[count];
            in.readFully(raw);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (EOFException e) {
            throw new DatasetException(file + ": truncated IDX label file", e);
        } catch (IOException e) {
            throw asDatasetException(file, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            raw = new GZIPInputStream(raw, 1 << 16);
        }
        return new DataInputStream(raw);
    }

    private static void checkMagic(Path file, int magic, int expected) throws DatasetException {
        if (magic != expected) {
            throw new DatasetException(String.format("%s: not an IDX %s file (magic 0x%08x, expected 0x%08x)",
                    file, expected == IMAGES_MAGIC ? "image" : "label", magic, expected));
        }
    }

    private static DatasetException asDatasetException(Path file, IOException e) {
        if (e instanceof DatasetException d) {
            return d;
        }
        return new DatasetException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
}
