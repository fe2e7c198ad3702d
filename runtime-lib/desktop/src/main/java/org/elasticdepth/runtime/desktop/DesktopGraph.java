package org.elasticdepth.runtime.desktop;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteBuiltinDelegate;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteFloat32;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteOk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.BuiltinOpResolver;
import org.bytedeco.tensorflowlite.FlatBufferModel;
import org.bytedeco.tensorflowlite.Interpreter;
import org.bytedeco.tensorflowlite.InterpreterBuilder;
import org.bytedeco.tensorflowlite.RegistrationNodePair;
import org.bytedeco.tensorflowlite.Subgraph;
import org.bytedeco.tensorflowlite.TfLiteIntArray;
import org.bytedeco.tensorflowlite.TfLiteRegistration;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.bytedeco.tensorflowlite.global.tensorflowlite;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;

/**
 * One bundle graph on a desktop TFLite interpreter. Inputs are copied native-to-native into the
 * interpreter's input tensor; outputs are read-only {@link ByteBuffer} views of its output tensors,
 * so activations never pass through Java arrays.
 *
 * <p>{@link #executionPlan()} shows what actually runs (delegate partitions and the TFLite kernels
 * left outside them), which is how tests prove that a block is a single XNNPACK partition.
 *
 * <p>Thread rules: not thread-safe; use from one thread at a time. Close it to free the interpreter.
 */
public final class DesktopGraph implements LoadedGraph {
  /** The name TFLite gives the kernel node of an XNNPACK delegate partition. */
  public static final String XNNPACK_KERNEL = "TfLiteXNNPackDelegate";

  private final Graph spec;
  private final Pointer modelMemory; // the flatbuffer; TFLite reads weights from it in place
  private final ByteBuffer modelOwner; // keeps a caller's direct buffer (e.g. a mapping) reachable
  private final FlatBufferModel model;
  private final SharedOpResolver resolver; // one reference, released on close
  private final Interpreter interpreter;
  private final ByteBuffer input;
  private final ByteBuffer[] outputs;
  private final List<String> plan;
  private final List<OpPlacement> placement;
  private final ExecutionTarget target;
  private final long residentBytes;
  private boolean closed;

  private DesktopGraph(Graph spec, Pointer modelMemory, ByteBuffer modelOwner, FlatBufferModel model,
      SharedOpResolver resolver, Interpreter interpreter, DesktopExecutor.Options options) {
    this.spec = spec;
    this.modelMemory = modelMemory;
    this.modelOwner = modelOwner;
    this.model = model;
    this.resolver = resolver;
    this.interpreter = interpreter;
    checkSignature();
    this.input = tensorView(spec, "input 0", interpreter.input_tensor(0), spec.inputs().get(0), false);
    this.outputs = new ByteBuffer[spec.outputs().size()];
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] = tensorView(spec, "output " + i, interpreter.output_tensor(i), spec.outputs().get(i), true);
    }
    this.plan = readExecutionPlan();
    this.placement = readPlacement();
    this.target = describeTarget(options);
    this.residentBytes = modelMemory.limit() + arenaBytes() + weightCopyBytes(spec, xnnpackPartitions() > 0);
  }

  /** Verifies, builds and allocates; any failure frees what was created and becomes a GraphException. */
  static DesktopGraph load(Graph spec, ByteBuffer bytes, SharedOpResolver resolver, DesktopExecutor.Options options) {
    if (spec.inputs().size() != 1) {
      throw new GraphException(spec.file() + ": desktop graphs take exactly one input, the manifest lists " + spec.inputs());
    }
    ByteBuffer content = bytes.slice();
    Pointer memory;
    ByteBuffer owner = null;
    if (content.isDirect()) {
      owner = content;
      memory = new BytePointer(content).capacity(content.remaining()).limit(content.remaining());
    } else {
      memory = new BytePointer(content.remaining());
      ((BytePointer) memory).put(toArray(content));
      memory.limit(content.remaining());
    }
    FlatBufferModel model = null;
    Interpreter interpreter = null;
    BuiltinOpResolver ops = resolver.retain();
    try {
      // The verifier walks every offset of the flatbuffer against its length before TFLite trusts it.
      model = FlatBufferModel.VerifyAndBuildFromBuffer(new BytePointer(memory), memory.limit());
      if (model == null || model.isNull()) {
        throw new GraphException(spec.file() + " is not a valid TFLite model: the flatbuffer verifier rejected its "
            + memory.limit() + " bytes (truncated or corrupted)");
      }
      InterpreterBuilder builder = new InterpreterBuilder(model, ops);
      try {
        builder.SetNumThreads(options.numThreads());
        interpreter = new Interpreter((Pointer) null);
        if (builder.apply(interpreter) != kTfLiteOk || interpreter.isNull()) {
          throw new GraphException(spec.file() + ": TFLite could not build an interpreter (unsupported operator?)");
        }
      } finally {
        builder.close();
      }
      // The default XNNPACK delegate is applied here, on the first allocation.
      if (interpreter.AllocateTensors() != kTfLiteOk) {
        throw new GraphException(spec.file() + ": TFLite could not allocate the graph's tensors");
      }
      return new DesktopGraph(spec, memory, owner, model, resolver, interpreter, options);
    } catch (RuntimeException e) {
      release(interpreter, model, resolver, memory, owner == null);
      throw e;
    }
  }

  @Override
  public Graph spec() {
    return spec;
  }

  /**
   * Runs the graph. {@code input} must hold exactly the input tensor's bytes (float32, native
   * order); the returned buffers are views of the output tensors, valid until the next run or close.
   */
  @Override
  public ByteBuffer[] run(ByteBuffer in) {
    if (closed) {
      throw new IllegalStateException(spec.file() + " is closed");
    }
    if (in.remaining() != input.capacity()) {
      throw new GraphException(spec.file() + ": input has " + in.remaining() + " bytes, expected " + input.capacity()
          + " for " + spec.inputs().get(0));
    }
    input.clear();
    input.put(in.duplicate());
    if (interpreter.Invoke() != kTfLiteOk) {
      throw new GraphException(spec.file() + ": TFLite failed to run the graph");
    }
    ByteBuffer[] views = new ByteBuffer[outputs.length];
    for (int i = 0; i < views.length; i++) {
      views[i] = outputs[i].duplicate().order(ByteOrder.nativeOrder());
    }
    return views;
  }

  @Override
  public ExecutionTarget target() {
    return target;
  }

  /**
   * Model bytes, plus the interpreter's arena (reported by TFLite), plus the copies of the weights
   * the kernels keep ({@link #weightCopyBytes}, which TFLite does not report). Fixed bookkeeping per
   * interpreter, about 200 KB, is not counted: it matters only for tiny graphs.
   */
  @Override
  public long residentBytes() {
    return residentBytes;
  }

  /**
   * What the kernels keep beside the model file, per parameter, in float32 copies of the weights:
   * two under XNNPACK (its packed weights and what packing leaves allocated), one under TFLite's own
   * kernels (their cached, prepacked weights). Measured with {@code ResidentMemoryBenchmark} on
   * desktop TFLite 2.21 (x86-64), where the accounted bytes come to 97-101 % of what one more block
   * of 790 K parameters adds to the process (72-87 % for the default model's 33 K-parameter blocks,
   * where the fixed bookkeeping weighs more). fp16 bundles are computed in float32, so the same holds;
   * int8 kernels keep int8 copies ({@link org.elasticdepth.runtime.bundle.Precision#kernelBytesPerWeight}).
   */
  static long weightCopyBytes(Graph spec, boolean xnnpack) {
    return (xnnpack ? 2L : 1L) * spec.precision().kernelBytesPerWeight() * spec.params();
  }

  /**
   * What the interpreter executes, in order: {@link #XNNPACK_KERNEL} (or another delegate's name)
   * for each delegate partition, the builtin operator name (e.g. {@code "GELU"}) for each node left
   * to TFLite's own kernels.
   */
  public List<String> executionPlan() {
    return plan;
  }

  /**
   * Where every operator of the graph runs, by builtin operator name (sorted): a node the
   * execution plan no longer holds was replaced by a delegate partition, one it holds runs on a
   * TFLite kernel.
   */
  public List<OpPlacement> opPlacement() {
    return placement;
  }

  /** How many nodes of the execution plan are XNNPACK partitions. */
  public int xnnpackPartitions() {
    return (int) plan.stream().filter(XNNPACK_KERNEL::equals).count();
  }

  /** True when the whole graph runs as exactly one XNNPACK partition, nothing outside it. */
  public boolean isSingleXnnpackPartition() {
    return plan.size() == 1 && XNNPACK_KERNEL.equals(plan.get(0));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      release(interpreter, model, resolver, modelMemory, modelOwner == null);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void checkSignature() {
    IntPointer in = interpreter.inputs();
    IntPointer out = interpreter.outputs();
    int inputCount = in == null ? 0 : (int) in.limit();
    int outputCount = out == null ? 0 : (int) out.limit();
    if (inputCount != spec.inputs().size() || outputCount != spec.outputs().size()) {
      throw new GraphException(spec.file() + " has " + inputCount + " inputs and " + outputCount
          + " outputs but the manifest lists " + spec.inputs() + " -> " + spec.outputs());
    }
    for (int i = 0; i < inputCount; i++) {
      checkTensor("input", i, interpreter.input_tensor(i), spec.inputs().get(i));
    }
    for (int i = 0; i < outputCount; i++) {
      checkTensor("output", i, interpreter.output_tensor(i), spec.outputs().get(i));
    }
  }

  private void checkTensor(String role, int i, TfLiteTensor t, Tensor expected) {
    if (t == null || t.isNull() || t.dims() == null || t.dims().isNull()) {
      throw new GraphException(spec.file() + ": TFLite has no " + role + " tensor " + i);
    }
    int[] shape = shape(t.dims());
    if (t.type() != kTfLiteFloat32 || !Arrays.equals(shape, expected.shape())) {
      throw new GraphException(String.format(Locale.ROOT, "%s: %s %d is %s %s but the manifest says float32 %s",
          spec.file(), role, i, tensorflowlite.TfLiteTypeGetName(t.type()).getString(), Arrays.toString(shape),
          expected));
    }
  }

  private static int[] shape(TfLiteIntArray dims) {
    int[] shape = new int[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.data(i);
    }
    return shape;
  }

  /**
   * A view of a tensor's memory. TFLite may leave a tensor without memory (a null data pointer) or
   * of another size than its shape says when a graph is malformed: that is a GraphException, never
   * a NullPointerException or a view past the tensor.
   */
  private static ByteBuffer tensorView(Graph spec, String role, TfLiteTensor t, Tensor expected, boolean readOnly) {
    long expectedBytes = (long) Float.BYTES * expected.elementCount();
    BytePointer data = t == null || t.isNull() || t.data() == null || t.data().isNull() ? null : t.data().raw();
    if (data == null || data.isNull()) {
      throw new GraphException(spec.file() + ": TFLite left " + role + " (" + expected + ") without memory");
    }
    if (t.bytes() != expectedBytes) {
      throw new GraphException(spec.file() + ": " + role + " has " + t.bytes() + " bytes in TFLite, expected " + expectedBytes
          + " for " + expected);
    }
    ByteBuffer view = data.capacity(t.bytes()).limit(t.bytes()).asByteBuffer().order(ByteOrder.nativeOrder());
    return readOnly ? view.asReadOnlyBuffer().order(ByteOrder.nativeOrder()) : view;
  }

  private List<String> readExecutionPlan() {
    IntPointer steps = interpreter.execution_plan();
    List<String> names = new ArrayList<>();
    for (long i = 0; i < steps.limit(); i++) {
      RegistrationNodePair node = interpreter.node_and_registration(steps.get(i));
      TfLiteRegistration registration = node.second();
      if (registration.builtin_code() == kTfLiteBuiltinDelegate && registration.custom_name() != null) {
        names.add(registration.custom_name().getString());
      } else {
        names.add(tensorflowlite.GetOpNameByRegistration(registration));
      }
    }
    return Collections.unmodifiableList(names);
  }

  private List<OpPlacement> readPlacement() {
    IntPointer steps = interpreter.execution_plan();
    java.util.Set<Integer> planned = new java.util.HashSet<>();
    for (long i = 0; i < steps.limit(); i++) {
      planned.add(steps.get(i));
    }
    java.util.TreeMap<String, int[]> counts = new java.util.TreeMap<>();
    for (int n = 0; n < interpreter.nodes_size(); n++) {
      TfLiteRegistration registration = interpreter.node_and_registration(n).second();
      if (registration.builtin_code() == kTfLiteBuiltinDelegate) {
        continue; // a partition's own kernel node, not an operator of the graph
      }
      int[] c = counts.computeIfAbsent(tensorflowlite.GetOpNameByRegistration(registration), k -> new int[2]);
      c[planned.contains(n) ? 1 : 0]++;
    }
    List<OpPlacement> out = new ArrayList<>();
    counts.forEach((op, c) -> out.add(new OpPlacement(op, c[0], c[1])));
    return Collections.unmodifiableList(out);
  }

  private ExecutionTarget describeTarget(DesktopExecutor.Options options) {
    int partitions = xnnpackPartitions();
    int others = plan.size() - partitions;
    String detail = (partitions == 0 ? "TFLite CPU kernels" : "XNNPACK, " + partitions + " partition(s)"
        + (others > 0 ? " + " + others + " TFLite kernel node(s)" : "")) + ", " + options.numThreads() + " thread(s)";
    if (options.useXnnpack() && partitions == 0) {
      return ExecutionTarget.fallback(Accelerator.CPU, Accelerator.CPU, detail, "XNNPACK took no node of the graph");
    }
    return ExecutionTarget.direct(Accelerator.CPU, detail);
  }

  private long arenaBytes() {
    Subgraph primary = interpreter.primary_subgraph();
    try (Subgraph.SubgraphAllocInfo info = new Subgraph.SubgraphAllocInfo()) {
      primary.GetMemoryAllocInfo(info);
      return info.arena_size() + info.arena_persist_size() + info.dynamic_size() + info.resource_size();
    }
  }

  private static byte[] toArray(ByteBuffer content) {
    byte[] bytes = new byte[content.remaining()];
    content.duplicate().get(bytes);
    return bytes;
  }

  /** Frees in dependency order: the interpreter uses the model and resolver, the model its memory. */
  private static void release(Interpreter interpreter, FlatBufferModel model, SharedOpResolver resolver,
      Pointer memory, boolean ownsMemory) {
    if (interpreter != null) {
      interpreter.close();
    }
    if (model != null) {
      model.close();
    }
    resolver.release();
    if (ownsMemory && memory != null) {
      memory.close();
    }
  }
}
