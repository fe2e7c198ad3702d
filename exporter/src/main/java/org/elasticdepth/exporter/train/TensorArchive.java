package org.elasticdepth.exporter.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * A small self-checking file of named float tensors: magic {@code EDTA}, version, count, then per tensor its name,
 * rank, dimensions and big-endian floats, and finally the CRC-32 of everything before it. A truncated or altered
 * file is detected on read. Written atomically.
 */
public final class TensorArchive {
    private static final int MAGIC = 0x45445441; // "EDTA"
    private static final int VERSION = 1;

    /** One tensor: its shape and row-major values. */
    public record Tensor(long[] shape, float[] values) {
    }

    private TensorArchive() {
    }

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        AtomicFiles.write(file, raw -> {
            CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), new CRC32());
            DataOutputStream out = new DataOutputStream(checked);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(tensors.size());
            for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
                Tensor t = entry.getValue();
                out.writeUTF(entry.getKey());
                out.writeInt(t.shape().length);
                for (long dim : t.shape()) {
                    out.writeLong(dim);
                }
                out.writeInt(t.values().length);
                for (float v : t.values()) {
                    out.writeFloat(v);
                }
            }
            out.flush();
            long crc = checked.getChecksum().getValue();
            out.writeLong(crc);
            out.flush();
        });
    }

    /**
     * @throws CheckpointException if the file is missing, truncated, not an archive, or fails its checksum
     */
    public static Map<String, Tensor> read(Path file) throws CheckpointException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CheckedInputStream checked = new CheckedInputStream(raw, new CRC32());
            DataInputStream in = new DataInputStream(checked);
            if (in.readInt() != MAGIC) {
                throw new CheckpointException(file + " is not a tensor archive (bad magic)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new CheckpointException(file + " has unsupported archive version " + version);
            }
            int count = in.readInt();
            if (count < 0 || count > 1_000_000) {
                throw new CheckpointException(file + " is corrupt (tensor count " + count + ")");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw new CheckpointException(file + " is corrupt (rank " + rank + " for '" + name + "')");
                }
                long[] shape = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readLong();
                    size *= shape[d];
                }
                int length = in.readInt();
                if (length != size || length > (1 << 28)) {
                    throw new CheckpointException(file + " is corrupt (tensor '" + name + "' size " + length + ")");
                }
                float[] values = new float[length];
                for (int j = 0; j < length; j++) {
                    values[j] = in.readFloat();
                }
                tensors.put(name, new Tensor(shape, values));
            }
            long expected = checked.getChecksum().getValue();
            long stored = in.readLong();
            if (stored != expected) {
                throw new CheckpointException(file + " is corrupt (checksum mismatch)");
            }
            if (in.read() != -1) {
                throw new CheckpointException(file + " is corrupt (trailing bytes)");
            }
            return tensors;
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + " is missing", e);
        } catch (EOFException e) {
            throw new CheckpointException(file + " is truncated", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(file + " cannot be read: " + e, e);
        }
    }
}
