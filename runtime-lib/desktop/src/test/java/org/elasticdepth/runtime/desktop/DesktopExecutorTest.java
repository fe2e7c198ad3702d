package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleManifest.Graph;
import org.elasticdepth.runtime.bundle.BundleManifest.Tensor;
import org.elasticdepth.runtime.spi.Accelerator;
import org.elasticdepth.runtime.spi.GraphException;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DesktopExecutorTest {
  private static Map<String, ByteBuffer> files;
  private static BundleManifest manifest;
  private static DesktopExecutor executor;

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @BeforeClass
  public static void openTinyBundle() {
    files = TestBundles.buffers(TestBundles.TINY);
    try (Bundle bundle = Bundle.fromBuffers(files)) {
      manifest = bundle.manifest();
    }
    executor = DesktopExecutor.create(DesktopExecutor.Options.builder().setNumThreads(2).build());
  }

  @AfterClass
  public static void close() {
    executor.close();
  }

  @Test
  public void everyBlockRunsAsExactlyOneXnnpackPartition() {
    for (int l = 1; l <= manifest.depth(); l++) {
      try (DesktopGraph block = load(manifest.block(l))) {
        assertEquals(List.of(DesktopGraph.XNNPACK_KERNEL), block.executionPlan());
        assertTrue(block.isSingleXnnpackPartition());
        assertEquals(Accelerator.CPU, block.target().accelerator());
        assertFalse(block.target().fellBack());
      }
    }
  }

  @Test
  public void everyOperatorIsPlacedInXnnpackOrOnATfliteKernel() {
    DesktopExecutor plain = DesktopExecutor.create(DesktopExecutor.Options.builder().setUseXnnpack(false).build());
    try (DesktopGraph xnnpack = load(manifest.block(1));
        DesktopGraph kernels = plain.load(manifest.block(1), files.get(manifest.block(1).file()))) {
      List<OpPlacement> inXnnpack = xnnpack.opPlacement();
      List<OpPlacement> onKernels = kernels.opPlacement();
      // the same operators either way: all in the one partition, or all on TFLite's kernels
      assertEquals(inXnnpack.stream().map(OpPlacement::op).toList(), onKernels.stream().map(OpPlacement::op).toList());
      assertEquals(kernels.executionPlan().size(), onKernels.stream().mapToInt(OpPlacement::tflite).sum());
      for (int i = 0; i < inXnnpack.size(); i++) {
        assertEquals(0, inXnnpack.get(i).tflite());
        assertEquals(onKernels.get(i).tflite(), inXnnpack.get(i).xnnpack());
        assertEquals(0, onKernels.get(i).xnnpack());
      }
      assertTrue(inXnnpack.toString(), inXnnpack.stream().anyMatch(p -> p.op().equals("BATCH_MATMUL") && p.xnnpack() == 2));
      assertEquals("MEAN 1 XNNPACK + 2 TFLite", new OpPlacement("MEAN", 1, 2).toString());
    }
  }

  @Test
  public void withoutXnnpackTheKernelsAreListedOneByOne() {
    DesktopExecutor plain = DesktopExecutor.create(DesktopExecutor.Options.builder().setUseXnnpack(false).build());
    try (DesktopGraph block = plain.load(manifest.block(1), files.get(manifest.block(1).file()))) {
      assertEquals(0, block.xnnpackPartitions());
      assertTrue(block.executionPlan().contains("BATCH_MATMUL"));
      assertTrue(block.executionPlan().contains("GELU"));
      assertFalse(block.executionPlan().contains("GATHER"));
      assertFalse(block.executionPlan().contains("STRIDED_SLICE"));
    }
  }

  @Test
  public void chainedRunGivesFiniteLogitsEqualToTheFullGraph() {
    List<DesktopGraph> graphs = new ArrayList<>();
    try {
      DesktopGraph stem = keep(graphs, load(manifest.graphs().stem()));
      DesktopGraph head = keep(graphs, load(manifest.graphs().head()));
      DesktopGraph full = keep(graphs, load(manifest.graphs().full()));
      ByteBuffer image = ByteBuffer.allocateDirect(28 * 28 * 4).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 28 * 28; i++) {
        image.putFloat(i * 4, (float) Math.sin(i * 0.1));
      }
      ByteBuffer tokens = stem.run(image)[0];
      ByteBuffer feature = null;
      for (int l = 1; l <= manifest.depth(); l++) {
        ByteBuffer[] out = keep(graphs, load(manifest.block(l))).run(tokens);
        assertEquals(17 * 16 * 4, out[0].remaining());
        assertEquals(16 * 4, out[1].remaining());
        tokens = out[0];
        feature = out[1];
      }
      float[] chained = floats(head.run(feature)[0]);
      float[] monolithic = floats(full.run(image)[0]);
      assertEquals(10, chained.length);
      for (int c = 0; c < 10; c++) {
        assertTrue(Float.isFinite(chained[c]));
        assertEquals(monolithic[c], chained[c], 1e-4);
      }
    } finally {
      graphs.forEach(DesktopGraph::close);
    }
  }

  @Test
  public void outputsAreReadOnlyViewsAndTheInputIsNotMoved() {
    try (DesktopGraph head = load(manifest.graphs().head())) {
      ByteBuffer feature = ByteBuffer.allocateDirect(16 * 4).order(ByteOrder.nativeOrder());
      ByteBuffer[] out = head.run(feature);
      assertEquals(0, feature.position());
      assertTrue(out[0].isReadOnly());
      assertTrue(out[0].isDirect());
      assertThrows(ReadOnlyBufferException.class, () -> out[0].putFloat(0, 1f));
    }
  }

  @Test
  public void aHeapModelBufferIsCopiedAndWorks() {
    ByteBuffer direct = files.get("head.tflite");
    byte[] bytes = new byte[direct.remaining()];
    direct.duplicate().get(bytes);
    try (DesktopGraph head = executor.load(manifest.graphs().head(), ByteBuffer.wrap(bytes))) {
      assertEquals(10 * 4, head.run(ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder()))[0].remaining());
    }
  }

  @Test
  public void memoryMappedBundleGraphsLoad() throws Exception {
    Path dir = TestBundles.copyTo(TestBundles.TINY, tmp.getRoot().toPath().resolve("tiny"));
    try (Bundle bundle = Bundle.fromDirectory(dir.toFile());
        DesktopGraph block = executor.load(manifest.block(2), bundle.graph(manifest.block(2)))) {
      assertTrue(block.isSingleXnnpackPartition());
    }
  }

  @Test
  public void residentBytesCoverTheModelAndTheArena() {
    Graph spec = manifest.block(1);
    try (DesktopGraph block = load(spec)) {
      assertTrue(block.residentBytes() > spec.bytes());
      assertTrue(block.residentBytes() < spec.bytes() + 10_000_000);
    }
  }

  @Test
  public void aTruncatedModelIsAGraphExceptionNotACrash() {
    ByteBuffer whole = files.get("block_01.tflite");
    for (int length : new int[] {0, 3, 16, whole.remaining() / 2, whole.remaining() - 1}) {
      ByteBuffer truncated = whole.duplicate();
      truncated.limit(length);
      GraphException e = assertThrows(GraphException.class, () -> executor.load(manifest.block(1), truncated));
      assertTrue(e.getMessage(), e.getMessage().contains("block_01.tflite"));
    }
  }

  @Test
  public void garbageIsAGraphException() {
    ByteBuffer garbage = ByteBuffer.allocate(4096);
    for (int i = 0; i < 4096; i++) {
      garbage.put(i, (byte) (i * 31 + 7));
    }
    assertThrows(GraphException.class, () -> executor.load(manifest.block(1), garbage));
  }

  @Test
  public void shapesDifferentFromTheManifestAreRefused() {
    Graph block = manifest.block(1);
    Graph wrong = new Graph(block.file(), block.sha256(), block.bytes(), block.params(), block.flops(),
        List.of(new Tensor("tokens", new int[] {1, 17, 32})), block.outputs());
    GraphException e = assertThrows(GraphException.class, () -> executor.load(wrong, files.get(block.file())));
    assertTrue(e.getMessage(), e.getMessage().contains("[1, 17, 16]") && e.getMessage().contains("[1, 17, 32]"));
    Graph oneOutput = new Graph(block.file(), block.sha256(), block.bytes(), block.params(), block.flops(),
        block.inputs(), block.outputs().subList(0, 1));
    assertThrows(GraphException.class, () -> executor.load(oneOutput, files.get(block.file())));
  }

  @Test
  public void aWrongInputSizeIsAGraphException() {
    try (DesktopGraph head = load(manifest.graphs().head())) {
      GraphException e = assertThrows(GraphException.class, () -> head.run(ByteBuffer.allocateDirect(60)));
      assertTrue(e.getMessage(), e.getMessage().contains("60 bytes"));
    }
  }

  @Test
  public void runAfterCloseIsRefused() {
    DesktopGraph head = load(manifest.graphs().head());
    head.close();
    head.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> head.run(ByteBuffer.allocateDirect(64)));
  }

  @Test
  public void optionsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> DesktopExecutor.Options.builder().setNumThreads(0).build());
    DesktopExecutor.Options options = DesktopExecutor.Options.builder().setNumThreads(3).setUseXnnpack(false).build();
    assertEquals(3, options.numThreads());
    assertFalse(options.useXnnpack());
    assertEquals("desktop-tflite", executor.name());
    DesktopExecutor closed = DesktopExecutor.create();
    closed.close();
    assertThrows(IllegalStateException.class, () -> closed.load(manifest.graphs().head(), files.get("head.tflite")));
  }

  @Test
  public void graphsOutliveTheExecutorThatLoadedThemAndShareItsOpResolver() {
    DesktopExecutor own = DesktopExecutor.create();
    Graph headSpec = manifest.graphs().head();
    DesktopGraph first = own.load(headSpec, files.get(headSpec.file()));
    DesktopGraph second = own.load(headSpec, files.get(headSpec.file()));
    own.close(); // the shared resolver stays alive while graphs use it
    ByteBuffer feature = ByteBuffer.allocateDirect(headSpec.inputs().get(0).elementCount() * 4).order(ByteOrder.nativeOrder());
    feature.putFloat(0, 1f);
    float[] before = floats(first.run(feature)[0]);
    first.close();
    assertArrayEquals(before, floats(second.run(feature)[0]), 0f);
    second.close();
    second.close(); // idempotent: releases its reference once
    assertThrows(IllegalStateException.class, () -> own.load(headSpec, files.get(headSpec.file())));
  }

  @Test
  public void aFailedLoadGivesBackItsResolverReference() {
    DesktopExecutor own = DesktopExecutor.create();
    Graph headSpec = manifest.graphs().head();
    for (int i = 0; i < 3; i++) {
      assertThrows(GraphException.class, () -> own.load(headSpec, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})));
    }
    try (DesktopGraph head = own.load(headSpec, files.get(headSpec.file()))) {
      assertEquals(1, head.executionPlan().size());
    }
    own.close();
  }

  @Test
  public void repeatedRunsAreDeterministic() {
    try (DesktopGraph block = load(manifest.block(3))) {
      ByteBuffer tokens = ByteBuffer.allocateDirect(17 * 16 * 4).order(ByteOrder.nativeOrder());
      for (int i = 0; i < 17 * 16; i++) {
        tokens.putFloat(i * 4, (float) Math.cos(i));
      }
      float[] first = floats(block.run(tokens)[1]);
      float[] second = floats(block.run(tokens)[1]);
      assertArrayEquals(first, second, 0f);
      assertNotEquals(0f, first[0], 0f);
    }
  }

  private static DesktopGraph load(Graph graph) {
    return executor.load(graph, files.get(graph.file()));
  }

  private static DesktopGraph keep(List<DesktopGraph> graphs, DesktopGraph g) {
    graphs.add(g);
    return g;
  }

  private static float[] floats(ByteBuffer b) {
    float[] v = new float[b.remaining() / 4];
    b.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().get(v);
    return v;
  }
}
