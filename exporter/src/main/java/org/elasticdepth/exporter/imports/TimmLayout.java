package org.elasticdepth.exporter.imports;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.HeadLayout;
import org.elasticdepth.exporter.model.InputShapeException;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.train.AtomicFiles;
import org.elasticdepth.exporter.train.TensorArchive.Tensor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * timm's ViT/DeiT tensor names for an {@link ElasticVit}, both ways, and safetensors files in that layout.
 *
 * <h2>Names (timm's {@code VisionTransformer} state dict; blocks and heads 0-based, ours 1-based)</h2>
 * <pre>
 * patch_embed.proj.weight [D, C, p, p], .bias   &lt;-&gt; stem.patch.weight, .bias
 * cls_token [1, 1, D]                            &lt;-&gt; stem.cls
 * pos_embed [1, N + 1, D]                        &lt;-&gt; stem.pos
 * blocks.{i}.norm1.weight, .bias                 &lt;-&gt; block{i+1}.ln1.gamma, .beta
 * blocks.{i}.attn.qkv.weight [3D, D], .bias      &lt;-&gt; block{i+1}.attn.qkv.weight, .bias
 * blocks.{i}.attn.proj.*, blocks.{i}.mlp.fc1.*, blocks.{i}.mlp.fc2.*  (same suffixes)
 * blocks.{i}.norm2.weight, .bias                 &lt;-&gt; block{i+1}.ln2.gamma, .beta
 * norm.weight, .bias                             &lt;-&gt; head.ln.gamma, .beta     (timm's final LayerNorm ...
 * head.weight [C, D], head.bias                  &lt;-&gt; head.fc.weight, .bias    ... + Linear = the shared head)
 * heads.{i}.norm.weight, .bias                   &lt;-&gt; head{i+1}.ln.gamma, .beta (multihead baseline: one
 * heads.{i}.fc.weight, .bias                     &lt;-&gt; head{i+1}.fc.weight, .bias  head per layer, no norm/head)
 * </pre>
 * Layouts are identical on both sides (Linear weights [out, in], the convolution [out, in, p, p], row-major), so
 * the mapping is a renaming; values are float32 ({@code F32}) only. Files are read and written with DJL's own
 * safetensors codec ({@link NDList#decode}, {@link NDList.Encoding#SAFETENSORS}).
 *
 * <p>Stable API shared with the PyTorch DDP trainer's parity test: {@link #names}, {@link #toTimm}, {@link #toContract},
 * {@link #write}, {@link #read}, {@link #load}.
 */
public final class TimmLayout {
    private static final Pattern CONTRACT_BLOCK = Pattern.compile("block(\\d+)\\.(.+)");
    private static final Pattern CONTRACT_HEAD = Pattern.compile("head(\\d+)\\.(.+)");
    private static final Pattern TIMM_BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
    private static final Pattern TIMM_HEAD = Pattern.compile("heads\\.(\\d+)\\.(.+)");
    /** The largest safetensors JSON header read (timm ViT-L headers are ~30 KB). */
    private static final long MAX_HEADER_BYTES = 16L << 20;

    private TimmLayout() {
    }

    /** Contract name -> timm name for every weight of a model of this shape, in the model's order. */
    public static Map<String, String> names(VitConfig config, HeadLayout headLayout) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String contract : ElasticVit.shapes(config, headLayout).keySet()) {
            names.put(contract, toTimm(contract));
        }
        return names;
    }

    /**
     * The timm name of a contract weight name.
     *
     * @throws IllegalArgumentException if {@code contractName} is not a weight name of {@link ElasticVit}
     */
    public static String toTimm(String contractName) {
        switch (contractName) {
            case "stem.patch.weight":
                return "patch_embed.proj.weight";
            case "stem.patch.bias":
                return "patch_embed.proj.bias";
            case "stem.cls":
                return "cls_token";
            case "stem.pos":
                return "pos_embed";
            case "head.ln.gamma":
                return "norm.weight";
            case "head.ln.beta":
                return "norm.bias";
            case "head.fc.weight":
                return "head.weight";
            case "head.fc.bias":
                return "head.bias";
            default:
                break;
        }
        Matcher block = CONTRACT_BLOCK.matcher(contractName);
        if (block.matches()) {
            String rest = block.group(2)
                    .replaceFirst("^ln1\\.", "norm1.").replaceFirst("^ln2\\.", "norm2.")
                    .replaceFirst("\\.gamma$", ".weight").replaceFirst("\\.beta$", ".bias");
            return "blocks." + (Integer.parseInt(block.group(1)) - 1) + "." + rest;
        }
        Matcher head = CONTRACT_HEAD.matcher(contractName);
        if (head.matches()) {
            String rest = head.group(2).replaceFirst("^ln\\.", "norm.")
                    .replaceFirst("\\.gamma$", ".weight").replaceFirst("\\.beta$", ".bias");
            return "heads." + (Integer.parseInt(head.group(1)) - 1) + "." + rest;
        }
        throw new IllegalArgumentException("'" + contractName + "' is not an ElasticVit weight name");
    }

    /**
     * The contract name of a timm tensor name, or null if it is not one this layout knows (the caller reports it as
     * an extra tensor). The inverse of {@link #toTimm}.
     */
    public static String toContract(String timmName) {
        switch (timmName) {
            case "patch_embed.proj.weight":
                return "stem.patch.weight";
            case "patch_embed.proj.bias":
                return "stem.patch.bias";
            case "cls_token":
                return "stem.cls";
            case "pos_embed":
                return "stem.pos";
            case "norm.weight":
                return "head.ln.gamma";
            case "norm.bias":
                return "head.ln.beta";
            case "head.weight":
                return "head.fc.weight";
            case "head.bias":
                return "head.fc.bias";
            default:
                break;
        }
        Matcher block = TIMM_BLOCK.matcher(timmName);
        if (block.matches() && isIndex(block.group(1))) {
            String rest = block.group(2);
            String mapped = switch (rest) {
                case "norm1.weight" -> "ln1.gamma";
                case "norm1.bias" -> "ln1.beta";
                case "norm2.weight" -> "ln2.gamma";
                case "norm2.bias" -> "ln2.beta";
                case "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
                        "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias" -> rest;
                default -> null;
            };
            return mapped == null ? null : "block" + (Integer.parseInt(block.group(1)) + 1) + "." + mapped;
        }
        Matcher head = TIMM_HEAD.matcher(timmName);
        if (head.matches() && isIndex(head.group(1))) {
            String mapped = switch (head.group(2)) {
                case "norm.weight" -> "ln.gamma";
                case "norm.bias" -> "ln.beta";
                case "fc.weight" -> "fc.weight";
                case "fc.bias" -> "fc.bias";
                default -> null;
            };
            return mapped == null ? null : "head" + (Integer.parseInt(head.group(1)) + 1) + "." + mapped;
        }
        return null;
    }

    /** Writes the model's weights to a safetensors file with timm names (atomically; float32, little-endian). */
    public static void write(ElasticVit model, Path file) throws IOException {
        Map<String, long[]> shapes = model.weightShapes();
        Map<String, float[]> values = model.namedWeights();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> tensors.put(toTimm(name), new Tensor(shape, values.get(name))));
        writeTensors(tensors, file);
    }

    /** Writes named float32 tensors (any names) to a safetensors file, atomically, with DJL's encoder. */
    public static void writeTensors(Map<String, Tensor> tensors, Path file) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList list = new NDList(tensors.size());
            tensors.forEach((name, tensor) -> {
                NDArray array = manager.create(tensor.values(), new Shape(tensor.shape()));
                array.setName(name);
                list.add(array);
            });
            AtomicFiles.write(file, out -> list.encode(out, NDList.Encoding.SAFETENSORS));
        }
    }

    /**
     * Every tensor of a safetensors file by its name, as float32.
     *
     * @throws ImportException if the file is missing, not safetensors, truncated, or holds a tensor that is not
     *                         float32 (named in the message)
     */
    public static Map<String, Tensor> read(Path file) throws ImportException {
        checkHeader(file);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager();
             InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            NDList list = NDList.decode(manager, in);
            for (NDArray array : list) {
                String name = array.getName();
                if (name == null) {
                    throw new ImportException(file + ": a tensor has no name");
                }
                if (array.getDataType() != DataType.FLOAT32) {
                    throw new ImportException(file + ": tensor '" + name + "' is " + array.getDataType()
                            + ", import reads float32 (F32) only; save it with .float() first");
                }
                tensors.put(name, new Tensor(array.getShape().getShape(), array.toFloatArray()));
            }
        } catch (ImportException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new ImportException(file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new ImportException(file + " is not a readable safetensors file: " + e.getMessage(), e);
        }
        return tensors;
    }

    /**
     * Contract-named weights of a model of this shape from timm-named tensors.
     *
     * @throws ImportException naming the first missing, extra or misshapen tensor (by its timm name)
     */
    public static Map<String, float[]> toContract(Map<String, Tensor> timmTensors, VitConfig config,
                                                  HeadLayout headLayout, String source) throws ImportException {
        Map<String, long[]> shapes = ElasticVit.shapes(config, headLayout);
        List<String> extra = new ArrayList<>();
        for (String name : timmTensors.keySet()) {
            String contract = toContract(name);
            if (contract == null || !shapes.containsKey(contract)) {
                extra.add(name);
            }
        }
        if (!extra.isEmpty()) {
            throw new ImportException(source + ": unexpected tensor" + (extra.size() > 1 ? "s " : " ")
                    + String.join(", ", extra.subList(0, Math.min(5, extra.size())))
                    + (extra.size() > 5 ? " (and " + (extra.size() - 5) + " more)" : "")
                    + " for a " + describe(config, headLayout));
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            String timm = toTimm(entry.getKey());
            Tensor tensor = timmTensors.get(timm);
            if (tensor == null) {
                throw new ImportException(source + ": missing tensor '" + timm + "' (shape "
                        + Arrays.toString(entry.getValue()) + ") for a " + describe(config, headLayout));
            }
            if (!Arrays.equals(tensor.shape(), entry.getValue())) {
                throw new ImportException(source + ": tensor '" + timm + "' has shape "
                        + Arrays.toString(tensor.shape()) + ", expected " + Arrays.toString(entry.getValue())
                        + " for a " + describe(config, headLayout));
            }
            values.put(entry.getKey(), tensor.values());
        }
        return values;
    }

    /** Reads a timm-layout safetensors file into a model of the given shape; the caller closes it. */
    public static ElasticVit load(Path file, VitConfig config, HeadLayout headLayout) throws ImportException {
        Map<String, float[]> values = toContract(read(file), config, headLayout, file.toString());
        try {
            return ElasticVit.fromWeights(config, headLayout, values);
        } catch (InputShapeException e) {
            throw new ImportException(file + ": " + e.getMessage(), e);
        }
    }

    static String describe(VitConfig c, HeadLayout headLayout) {
        return String.format("model of %d blocks, width %d, MLP %d, patch %d, %dx%dx%d images, %d classes, %s head%s",
                c.depth(), c.dim(), c.mlpDim(), c.patchSize(), c.imageSize(), c.imageSize(), c.channels(),
                c.numClasses(), headLayout == HeadLayout.SHARED ? "one shared" : "per-layer",
                headLayout == HeadLayout.SHARED ? "" : "s");
    }

    private static boolean isIndex(String digits) {
        return digits.length() <= 6 && (digits.equals("0") || !digits.startsWith("0"));
    }

    /**
     * Refuses files that cannot be safetensors before DJL allocates anything: a length prefix larger than the file
     * or than any real header. (The header itself is parsed by DJL.)
     */
    private static void checkHeader(Path file) throws ImportException {
        try {
            long size = Files.size(file);
            if (size < 8) {
                throw new ImportException(file + " is not a safetensors file (" + size + " bytes)");
            }
            byte[] prefix = new byte[8];
            try (InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(prefix, 0, 8) != 8) {
                    throw new ImportException(file + " is truncated");
                }
            }
            long headerBytes = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerBytes <= 0 || headerBytes > MAX_HEADER_BYTES || headerBytes > size - 8) {
                throw new ImportException(file + " is not a safetensors file (header length " + headerBytes
                        + " for a file of " + size + " bytes)");
            }
        } catch (NoSuchFileException e) {
            throw new ImportException(file + " does not exist", e);
        } catch (ImportException e) {
            throw e;
        } catch (IOException e) {
            throw new ImportException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
