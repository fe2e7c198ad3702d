package org.elasticdepth.runtime.desktop;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleWriter;
import org.elasticdepth.runtime.bundle.ManifestJson;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A signed bundle on desktop TFLite: accepted with its key, refused once its manifest changes. */
public class SignedBundleTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aSignedBundleClassifiesAndItsEditedCopyIsRefused() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = generator.generateKeyPair();
    Path plain = TestBundles.copyTo(TestBundles.TINY, tmp.getRoot().toPath().resolve("plain"));
    BundleManifest manifest = ManifestJson.parse(Files.readString(plain.resolve(BundleManifest.FILE_NAME)));
    Map<String, byte[]> graphs = new LinkedHashMap<>();
    for (BundleManifest.Graph g : manifest.graphs().all()) {
      graphs.put(g.file(), Files.readAllBytes(plain.resolve(g.file())));
    }
    Path signed = tmp.getRoot().toPath().resolve("signed");
    BundleWriter.writeDirectory(manifest, graphs, signed, false, key.getPrivate());

    ElasticClassifier.Options options = ElasticClassifier.Options.builder().requireSignedBy(key.getPublic()).build();
    float[] images = TestBundles.sampleImages(manifest.input());
    float[] first = java.util.Arrays.copyOf(images, manifest.input().elementCount());
    try (DesktopExecutor executor = DesktopExecutor.create();
        ElasticClassifier classifier = ElasticClassifier.fromDirectory(signed.toFile(), executor, options)) {
      assertEquals(manifest.depth(), classifier.classify(first).exitLayer());

      BundleException unsigned = assertThrows(BundleException.class,
          () -> ElasticClassifier.fromDirectory(plain.toFile(), executor, options));
      assertEquals(BundleException.Problem.SIGNATURE, unsigned.problem());

      Path json = signed.resolve(BundleManifest.FILE_NAME);
      Files.writeString(json, Files.readString(json).replace("\"Sneaker\"", "\"Sneakers\""));
      BundleException edited = assertThrows(BundleException.class,
          () -> ElasticClassifier.fromDirectory(signed.toFile(), executor, options));
      assertEquals(BundleException.Problem.SIGNATURE, edited.problem());
    }
  }
}
