package org.elasticdepth.runtime.spi;

import java.nio.ByteBuffer;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;

/**
 * The service-provider interface between the platform-independent engine and a TFLite runtime:
 * runtime-desktop implements it on org.bytedeco tensorflow-lite, runtime-android on {@code
 * org.tensorflow.lite.Interpreter} with the GPU delegate, NNAPI and XNNPACK.
 *
 * <p>An executor decides per graph where it runs and falls back per graph when a delegate refuses
 * it; the result is reported by {@link LoadedGraph#target()}.
 *
 * <p>Thread rules: {@link #load} and every use of the returned graph happen on the same thread
 * (the engine's owner thread), because GPU delegates are bound to the thread that created them.
 */
public interface BlockExecutor extends AutoCloseable {
  /** Short name for results and logs, e.g. {@code "desktop-tflite"} or {@code "android-tflite"}. */
  String name();

  /**
   * Creates an interpreter for {@code graph} from its verified bytes. The buffer stays referenced
   * by the returned graph (TFLite reads weights from it in place), so it must not be modified.
   *
   * @throws GraphException if no accelerator, the CPU included, can load the graph, or if its
   *     signature differs from {@code graph}'s inputs and outputs
   */
  LoadedGraph load(Graph graph, ByteBuffer model);

  /**
   * The accelerator this executor will try first for the next graph: the engine serves it the
   * bundle's precision built for it (GPU: fp16, NNAPI: int8, CPU: int8 when accurate enough). Asked
   * once when a classifier is created, on the creating thread. The default is the CPU.
   */
  default Accelerator preferredAccelerator() {
    return Accelerator.CPU;
  }

  /**
   * The bytes {@code graph} is expected to keep resident once this executor loads it, known before
   * loading: what the depth planner charges for it, and what {@link LoadedGraph#residentBytes()}
   * reports after loading. The default counts the model file and the graph's input and output
   * tensors, a lower bound; an executor whose accelerator keeps its own copy of the weights (XNNPACK
   * packs them, a GPU delegate uploads them) adds that copy.
   */
  default long residentBytesEstimate(Graph graph) {
    return graph.minimumResidentBytes();
  }

  /** Releases executor-wide resources (delegate caches, thread pools). Loaded graphs are closed separately. */
  @Override
  void close();
}
