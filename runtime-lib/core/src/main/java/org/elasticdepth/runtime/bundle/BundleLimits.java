package org.elasticdepth.runtime.bundle;

/**
 * Hard limits on what a bundle may declare, part of the bundle format. They are far above any model
 * a phone can run, and low enough that every size derived from them (tensor bytes, input buffers,
 * memory estimates) fits Java's {@code int} buffers and {@code long} sums without overflow. The
 * manifest is refused before it is read when it is larger than {@link #MAX_MANIFEST_BYTES}, and a
 * graph before it is read or mapped when its file is larger than the manifest says.
 */
public final class BundleLimits {
  private BundleLimits() {}

  /** manifest.json: a default bundle's is 5 KB; 10,000 labels of 100 characters still fit. */
  public static final int MAX_MANIFEST_BYTES = 4 << 20;
  /** manifest.json.sig: about 300 bytes. */
  public static final int MAX_SIGNATURE_BYTES = 4 << 10;
  /** One graph file (1 GiB): flatbuffers stop at 2 GiB, Java buffers at 2 GiB - 1. */
  public static final long MAX_GRAPH_BYTES = 1L << 30;
  /** Nesting of JSON arrays and objects (the manifest needs 5). */
  public static final int MAX_JSON_DEPTH = 16;
  /** Characters of any string in the manifest (labels, file and tensor names, provenance). */
  public static final int MAX_STRING_CHARS = 1024;

  /** Side of the input image in pixels. */
  public static final int MAX_IMAGE_SIZE = 4096;
  /** Channels of the input image. */
  public static final int MAX_CHANNELS = 4;
  /** Tokens per image including CLS (a 128 x 128 grid of patches + 1). */
  public static final int MAX_TOKENS = 128 * 128 + 1;
  /** Width of the transformer ({@code model.dim}) and of its MLP ({@code model.mlpDim}). */
  public static final int MAX_WIDTH = 1 << 16;
  /** Attention heads. */
  public static final int MAX_HEADS = 1024;
  /** Blocks ({@code model.depth}). */
  public static final int MAX_DEPTH = 1024;
  /** Classes ({@code model.numClasses} and labels). */
  public static final int MAX_CLASSES = 100_000;
  /** Bytes of one input or output tensor of a graph (float32): 256 MiB. */
  public static final long MAX_TENSOR_BYTES = 256L << 20;
  /** Dimensions of a tensor's shape. */
  public static final int MAX_RANK = 8;
  /** Floating-point operations of one graph for one image (about 10^15). */
  public static final long MAX_FLOPS = 1L << 50;

  /** {@code |input.mean[c]|} at most this: pixel values times scale are at most a few hundred. */
  public static final double MAX_ABS_MEAN = 1e4;
  /** {@code input.std[c]} within [MIN_STD, MAX_STD], so normalised values stay finite floats. */
  public static final double MIN_STD = 1e-4;
  public static final double MAX_STD = 1e4;
  /** {@code input.scale} within [MIN_SCALE, MAX_SCALE] (1/255 for 8-bit pictures, 1 for raw values). */
  public static final double MIN_SCALE = 1e-6;
  public static final double MAX_SCALE = 1e3;

  /** Training images an int8 precision's activation ranges were calibrated on. */
  public static final int MAX_CALIBRATION_IMAGES = 10_000_000;
  /** Operator names in a quantization record's int16Ops or floatOps (TFLite has about 200 builtins). */
  public static final int MAX_OPERATOR_NAMES = 256;
}
