package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import android.content.Context;
import androidx.test.core.app.ApplicationProvider;
import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.HashSet;
import java.util.Set;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * The asset source's rules (map uncompressed graphs, inflate compressed ones, report missing ones),
 * on runtime-desktop's fixture bundle served by a stand-in for the AssetManager: Robolectric serves
 * app assets only from a linked resource APK, which this library module does not build.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class AssetBundlesTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private File assetsRoot;
  private FileAssets assets;

  /** Serves a directory as assets; paths in {@code compressed} cannot be mapped, as in a real APK. */
  static final class FileAssets implements AssetBundles.Assets {
    final File root;
    final Set<String> compressed = new HashSet<>();
    final Set<String> mapped = new HashSet<>();
    final Set<String> streamed = new HashSet<>();

    FileAssets(File root) {
      this.root = root;
    }

    @Override
    public ByteBuffer map(String path) throws IOException {
      File file = new File(root, path);
      if (compressed.contains(path) || !file.isFile()) {
        throw new FileNotFoundException(path);
      }
      mapped.add(path);
      try (RandomAccessFile raf = new RandomAccessFile(file, "r"); FileChannel channel = raf.getChannel()) {
        return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      }
    }

    @Override
    public InputStream open(String path) throws IOException {
      streamed.add(path);
      return new FileInputStream(new File(root, path)); // FileNotFoundException when missing
    }
  }

  @Before
  public void setUp() throws IOException {
    assetsRoot = temp.newFolder("assets");
    TestBundles.copyTo(TestBundles.TINY, new File(assetsRoot, "models/tiny").toPath());
    assets = new FileAssets(assetsRoot);
  }

  private Bundle open(String dir) {
    return Bundle.open(AssetBundles.source(assets, dir));
  }

  @Test
  public void uncompressedGraphsAreMemoryMapped() {
    try (Bundle bundle = open("models/tiny")) {
      assertEquals("assets/models/tiny/", bundle.location());
      for (BundleManifest.Graph g : bundle.manifest().graphs().all()) {
        ByteBuffer content = bundle.graph(g); // checks size and SHA-256
        assertTrue(g.file(), assets.mapped.contains("models/tiny/" + g.file()));
        assertTrue(g.file(), content.isDirect());
        assertEquals(ByteOrder.nativeOrder(), content.order());
      }
      assertEquals("only the manifest is streamed", Set.of("models/tiny/manifest.json"), assets.streamed);
    }
  }

  @Test
  public void compressedGraphsAreInflatedIntoDirectBuffers() {
    assets.compressed.add("models/tiny/stem.tflite");
    try (Bundle bundle = open("/models/tiny/")) {
      ByteBuffer stem = bundle.graph(bundle.manifest().graphs().stem());
      assertTrue("TFLite needs a direct buffer", stem.isDirect());
      assertEquals(ByteOrder.nativeOrder(), stem.order());
      assertTrue(assets.streamed.contains("models/tiny/stem.tflite"));
      assertFalse(assets.streamed.contains("models/tiny/block_01.tflite"));
      assertTrue(assets.mapped.contains("models/tiny/block_01.tflite"));
    }
  }

  @Test
  public void aClassifierRunsOnGraphsReadFromAssets() {
    assets.compressed.add("models/tiny/block_02.tflite");
    try (Bundle bundle = open("models/tiny");
        DesktopExecutor executor = DesktopExecutor.create();
        ElasticClassifier classifier = ElasticClassifier.create(bundle, executor)) {
      float[] image = new float[bundle.manifest().input().elementCount()];
      assertEquals(bundle.manifest().depth(), classifier.classify(image).exitLayer());
    }
  }

  @Test
  public void aMissingGraphIsNamed() {
    assertTrue(new File(assetsRoot, "models/tiny/block_02.tflite").delete());
    BundleException e = assertThrows(BundleException.class, () -> open("models/tiny"));
    assertEquals(BundleException.Problem.MISSING_FILE, e.problem());
    assertEquals("assets/models/tiny/ has no block_02.tflite named by the manifest", e.getMessage());
  }

  @Test
  public void aTruncatedGraphIsAnIntegrityError() throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(new File(assetsRoot, "models/tiny/head.tflite"), "rw")) {
      raf.setLength(raf.length() - 1);
    }
    BundleException e = assertThrows(BundleException.class, () -> open("models/tiny"));
    assertEquals(BundleException.Problem.INTEGRITY, e.problem());
  }

  @Test
  public void aMissingBundleInTheRealAssetManagerNamesWhatIsMissing() {
    Context context = ApplicationProvider.getApplicationContext();
    BundleException e = assertThrows(BundleException.class, () -> AssetBundles.fromAssets(context, "bundles/none"));
    assertEquals(BundleException.Problem.MISSING_FILE, e.problem());
    assertEquals("assets/bundles/none/ has no manifest.json", e.getMessage());
  }

  @Test
  public void badDirectoriesAreRejected() {
    Context context = ApplicationProvider.getApplicationContext();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AssetBundles.fromAssets(context, "models/../secrets"));
    assertEquals("asset directory 'models/../secrets' must not contain '.' or '..'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AssetBundles.fromAssets(context, null));
    assertThrows(IllegalArgumentException.class, () -> AssetBundles.source((android.content.res.AssetManager) null, ""));
  }

  @Test
  public void normalisesDirectories() {
    assertEquals("", AssetBundles.normalise(""));
    assertEquals("", AssetBundles.normalise("/"));
    assertEquals("a/b/", AssetBundles.normalise(" /a/b// "));
  }
}
