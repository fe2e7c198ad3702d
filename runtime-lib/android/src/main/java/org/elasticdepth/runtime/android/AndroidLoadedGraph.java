package org.elasticdepth.runtime.android;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.ExecutionTarget;
import org.elasticdepth.runtime.spi.GraphException;
import org.elasticdepth.runtime.spi.LoadedGraph;
import org.tensorflow.lite.Delegate;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * One graph on one {@link Interpreter} (and at most one delegate), exchanging float32 tensors
 * through direct native-order buffers allocated once.
 *
 * <p>Thread rules: not thread-safe. A graph on the GPU must be run and closed on the thread that
 * created it (the GPU delegate's GL/CL context is bound to it); other threads get an {@link
 * IllegalStateException} instead of a native crash.
 *
 * <p>{@code clear()} and {@code flip()} are called through {@link Buffer}: ByteBuffer's covariant
 * overrides (Java 9) do not exist before Android 8, where calling them is a NoSuchMethodError.
 */
final class AndroidLoadedGraph implements LoadedGraph {
  private final Graph spec;
  /** Referenced so the memory the interpreter reads its weights from stays alive (it may be a mapping). */
  private final ByteBuffer model;
  private final Interpreter interpreter;
  private final Delegate delegate;
  private final ExecutionTarget target;
  private final Thread owner;
  private final int inputBytes;
  /** Where inputs that TFLite cannot read in place are copied; also the zero input of the first run. */
  private final ByteBuffer staging;
  private final ByteBuffer[] outputs;
  private final ByteBuffer[] outputViews;
  private final Map<Integer, Object> outputMap = new HashMap<>();
  private final Object[] inputArray = new Object[1];
  private boolean closed;

  private AndroidLoadedGraph(Graph spec, ByteBuffer model, Interpreter interpreter, Delegate delegate, ExecutionTarget target) {
    this.spec = spec;
    this.model = model;
    this.interpreter = interpreter;
    this.delegate = delegate;
    this.target = target;
    this.owner = target.accelerator() == Accelerator.GPU ? Thread.currentThread() : null;
    this.inputBytes = Math.toIntExact(spec.inputs().get(0).byteCount()); // <= BundleLimits.MAX_TENSOR_BYTES
    this.staging = ByteBuffer.allocateDirect(inputBytes).order(ByteOrder.nativeOrder());
    this.outputs = new ByteBuffer[spec.outputs().size()];
    this.outputViews = new ByteBuffer[outputs.length];
    for (int i = 0; i < outputs.length; i++) {
      outputs[i] = ByteBuffer.allocateDirect(Math.toIntExact(spec.outputs().get(i).byteCount())).order(ByteOrder.nativeOrder());
      outputViews[i] = outputs[i].asReadOnlyBuffer().order(ByteOrder.nativeOrder());
      outputMap.put(i, outputs[i]);
    }
  }

  /**
   * Wraps a freshly created interpreter: checks its tensors against {@code spec}, then runs one
   * inference on zeros so that a delegate that accepts a graph but cannot execute it fails here,
   * where the executor can still fall back. On any failure the interpreter and delegate are closed.
   *
   * @throws GraphSignatureException if the tensors contradict the manifest
   * @throws GraphException if the first inference fails
   */
  static AndroidLoadedGraph open(Graph spec, ByteBuffer model, Interpreter interpreter, Delegate delegate, ExecutionTarget target) {
    AndroidLoadedGraph graph;
    try {
      if (spec.inputs().size() != 1) {
        throw new GraphSignatureException(spec.file() + " has " + spec.inputs().size()
            + " inputs in the manifest; the runtime feeds graphs exactly one");
      }
      TensorSignature.check(spec, signature(interpreter, true), signature(interpreter, false));
      graph = new AndroidLoadedGraph(spec, model, interpreter, delegate, target);
    } catch (RuntimeException e) {
      closeQuietly(interpreter, delegate);
      throw e;
    }
    try {
      graph.run(graph.staging);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    return graph;
  }

  @Override
  public Graph spec() {
    return spec;
  }

  @Override
  public ExecutionTarget target() {
    return target;
  }

  @Override
  public ByteBuffer[] run(ByteBuffer input) {
    checkUsable("run");
    if (input.remaining() != inputBytes) {
      throw new GraphException(spec.file() + " expects " + inputBytes + " bytes (" + spec.inputs().get(0)
          + " float32) but the input has " + input.remaining());
    }
    inputArray[0] = passesInPlace(input, inputBytes) ? input : stage(input);
    for (ByteBuffer output : outputs) {
      ((Buffer) output).clear(); // TFLite appends with put(): start each run at 0
    }
    try {
      interpreter.runForMultipleInputsOutputs(inputArray, outputMap);
    } catch (RuntimeException e) {
      throw new GraphException(spec.file() + " failed on " + target + ": " + DelegateFallback.describe(e), e);
    } finally {
      inputArray[0] = null; // do not keep the caller's buffer alive
    }
    for (ByteBuffer view : outputViews) {
      ((Buffer) view).clear();
    }
    return outputViews.clone();
  }

  /**
   * Whether TFLite can read {@code input} without a copy: it reads a direct native-order buffer
   * from its start address and requires its capacity to equal the tensor's size, ignoring the
   * position; anything else must be staged.
   */
  static boolean passesInPlace(ByteBuffer input, int tensorBytes) {
    return input.isDirect() && input.order() == ByteOrder.nativeOrder() && input.position() == 0
        && input.capacity() == tensorBytes && input.limit() == tensorBytes;
  }

  private ByteBuffer stage(ByteBuffer input) {
    ((Buffer) staging).clear();
    staging.put(input.duplicate()); // duplicate: the caller's position must not move
    ((Buffer) staging).flip();
    return staging;
  }

  /**
   * The model buffer, the accelerator's copy of the weights ({@link #acceleratorWeightBytes}), the
   * interpreter's input and output tensors, and this wrapper's buffers. TFLite's arena for
   * intermediate tensors and the delegates' bookkeeping are not visible from Java and not counted.
   */
  @Override
  public long residentBytes() {
    long bytes = model.capacity() + acceleratorWeightBytes(spec) + 2L * staging.capacity();
    for (ByteBuffer output : outputs) {
      bytes += 2L * output.capacity();
    }
    return bytes;
  }

  /**
   * Every accelerator keeps copies of the weights for the graph's lifetime, in its own layout:
   * XNNPACK repacks them as float32, the GPU delegate uploads them (to memory the GPU shares with the
   * CPU on phones), NNAPI compiles them. Counted as two float32 copies (8 bytes per parameter): what
   * XNNPACK keeps on desktop TFLite, measured by runtime-desktop's {@code ResidentMemoryBenchmark}.
   * Not measured on a phone (none was available); GPU and NNAPI drivers are assumed no leaner.
   * int8 graphs: two int8 copies ({@link org.elasticdepth.runtime.bundle.Precision#kernelBytesPerWeight}).
   */
  static long acceleratorWeightBytes(Graph spec) {
    return 2L * spec.precision().kernelBytesPerWeight() * spec.params();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    checkOwnerThread("close");
    closed = true;
    closeQuietly(interpreter, delegate);
  }

  private void checkUsable(String operation) {
    if (closed) {
      throw new IllegalStateException(spec.file() + " is closed; cannot " + operation);
    }
    checkOwnerThread(operation);
  }

  private void checkOwnerThread(String operation) {
    if (owner != null && owner != Thread.currentThread()) {
      throw new IllegalStateException(spec.file() + " runs on the GPU delegate created on thread '" + owner.getName()
          + "'; cannot " + operation + " it on thread '" + Thread.currentThread().getName() + "'");
    }
  }

  private static List<TensorSignature> signature(Interpreter interpreter, boolean inputs) {
    int count = inputs ? interpreter.getInputTensorCount() : interpreter.getOutputTensorCount();
    List<TensorSignature> tensors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Tensor t = inputs ? interpreter.getInputTensor(i) : interpreter.getOutputTensor(i);
      tensors.add(new TensorSignature(t.name(), t.shape(), t.dataType().name()));
    }
    return tensors;
  }

  /** The interpreter first: it uses the delegate until it is closed. */
  private static void closeQuietly(Interpreter interpreter, Delegate delegate) {
    try {
      interpreter.close();
    } finally {
      if (delegate != null) {
        try {
          delegate.close();
        } catch (RuntimeException ignored) {
          // Nothing left to release on failure; the interpreter is already gone.
        }
      }
    }
  }
}
