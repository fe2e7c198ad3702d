package org.elasticdepth.runtime.android;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import androidx.test.ext.junit.runners.AndroidJUnit4;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import org.elasticdepth.runtime.ElasticClassifier;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.PemKeys;
import org.elasticdepth.runtime.desktop.DesktopExecutor;
import org.elasticdepth.runtime.desktop.TestBundles;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.robolectric.annotation.Config;

/**
 * Signed bundles under Robolectric, with the security providers an Android process sees there:
 * the signature verifies through the same JCA calls the runtime makes on a phone, from assets, and
 * any change to the manifest after signing is refused.
 */
@RunWith(AndroidJUnit4.class)
@Config(sdk = 34)
public class SignedAssetBundlesTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private KeyPair key;
  private AssetBundlesTest.FileAssets assets;
  private Path dir;

  @Before
  public void setUp() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    key = generator.generateKeyPair();
    File root = temp.newFolder("assets");
    dir = TestBundles.copyTo(TestBundles.TINY, new File(root, "bundle").toPath());
    byte[] manifest = Files.readAllBytes(dir.resolve(BundleManifest.FILE_NAME));
    Files.write(dir.resolve(BundleSignature.FILE_NAME), BundleSignature.sign(manifest, key.getPrivate()));
    assets = new AssetBundlesTest.FileAssets(root);
  }

  @Test
  public void aSignedAssetBundleVerifiesAndRuns() {
    assertTrue("ECDSA P-256 is available", providerOf("SHA256withECDSA") != null);
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(key.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    ElasticClassifier.Options options = ElasticClassifier.Options.builder()
        .requireSignedBy(PemKeys.publicKey(pem))
        .build();
    try (Bundle bundle = Bundle.open(AssetBundles.source(assets, "bundle"), key.getPublic());
        DesktopExecutor executor = DesktopExecutor.create();
        ElasticClassifier classifier = ElasticClassifier.create(bundle, executor, options)) {
      float[] image = new float[bundle.manifest().input().elementCount()];
      assertEquals(bundle.manifest().depth(), classifier.classify(image).exitLayer());
    }
  }

  @Test
  public void aChangedManifestOrAMissingSignatureIsRefused() throws IOException {
    Path manifest = dir.resolve(BundleManifest.FILE_NAME);
    String json = new String(Files.readAllBytes(manifest), StandardCharsets.UTF_8);
    Files.write(manifest, json.replace("\"Bag\"", "\"Bog\"").getBytes(StandardCharsets.UTF_8));
    BundleException changed = assertThrows(BundleException.class,
        () -> Bundle.open(AssetBundles.source(assets, "bundle"), key.getPublic()));
    assertEquals(BundleException.Problem.SIGNATURE, changed.problem());

    Files.write(manifest, json.getBytes(StandardCharsets.UTF_8));
    Files.delete(dir.resolve(BundleSignature.FILE_NAME));
    BundleException unsigned = assertThrows(BundleException.class,
        () -> Bundle.open(AssetBundles.source(assets, "bundle"), key.getPublic()));
    assertEquals(BundleException.Problem.SIGNATURE, unsigned.problem());
    try (Bundle withoutKey = Bundle.open(AssetBundles.source(assets, "bundle"))) {
      withoutKey.verifyAll(); // unsigned bundles keep working when no key is required
    }
  }

  private static String providerOf(String algorithm) {
    try {
      return Signature.getInstance(algorithm).getProvider().getName();
    } catch (java.security.GeneralSecurityException e) {
      return null;
    }
  }
}
