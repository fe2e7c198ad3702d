package org.elasticdepth.runtime.desktop;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.GraphException;

/**
 * Child process for tests that expect native code to kill the JVM: loads (and runs once) the
 * graph file {@code args[0]} with signature {@code args[1]} -> {@code args[2..]} (each
 * {@code name:d0xd1x...}) on TFLite's own kernels, without the structural validator, and prints
 * {@code RAN} or {@code REFUSED message}. A process that dies before printing either was killed by
 * TFLite.
 */
public final class LoadGraphChild {
  private LoadGraphChild() {}

  public static void main(String[] args) throws Exception {
    byte[] bytes = Files.readAllBytes(Path.of(args[0]));
    Tensor in = tensor(args[1]);
    List<Tensor> out = new java.util.ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      out.add(tensor(args[i]));
    }
    Graph spec = new Graph(Path.of(args[0]).getFileName().toString(), null, 0, 0, 0, List.of(in), out).withContent(bytes);
    try (DesktopExecutor executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setUseXnnpack(false).build());
        DesktopGraph graph = executor.load(spec, ByteBuffer.wrap(bytes))) {
      graph.run(ByteBuffer.allocateDirect(4 * in.elementCount()).order(java.nio.ByteOrder.nativeOrder()));
      System.out.println("RAN");
    } catch (GraphException e) {
      System.out.println("REFUSED " + e.getMessage());
    }
  }

  private static Tensor tensor(String spec) {
    String[] parts = spec.split(":");
    String[] dims = parts[1].split("x");
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = Integer.parseInt(dims[i]);
    }
    return new Tensor(parts[0], shape);
  }
}
