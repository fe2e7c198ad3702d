package org.elasticdepth.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleException;
import org.elasticdepth.runtime.bundle.BundleException.Problem;
import org.elasticdepth.runtime.bundle.BundleManifest;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.junit.Test;

/** {@code Options.Builder.requireSignedBy}: an app that loads bundles from outside its APK accepts only its own. */
public class SignedClassifierTest {
  private static final KeyPair OURS = p256();
  private static final KeyPair THEIRS = p256();
  private final FakeExecutor executor = new FakeExecutor();
  private final Map<String, ByteBuffer> unsigned = FakeBundle.files(FakeBundle.manifest(2));

  @Test
  public void ourBundleLoadsAndClassifies() {
    ElasticClassifier.Options options = ElasticClassifier.Options.builder().requireSignedBy(OURS.getPublic()).build();
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(signed(OURS), executor, options)) {
      assertEquals(2, c.classify(new float[16]).exitLayer());
    }
    try (Bundle bundle = Bundle.fromBuffers(signed(OURS));
        ElasticClassifier c = ElasticClassifier.create(bundle, executor, options)) {
      assertEquals(2, c.plan().depth());
    }
    assertEquals(options.requiredSigners(), options.toBuilder().build().requiredSigners());
  }

  @Test
  public void unsignedAndForeignBundlesAreRefusedBeforeAnyGraphLoads() {
    ElasticClassifier.Options options = ElasticClassifier.Options.builder()
        .requireSignedBy(OURS.getPublic())
        .build();
    assertSignature(() -> ElasticClassifier.fromBuffers(unsigned, executor, options));
    assertSignature(() -> ElasticClassifier.fromBuffers(signed(THEIRS), executor, options));
    try (Bundle theirs = Bundle.fromBuffers(signed(THEIRS))) {
      assertSignature(() -> ElasticClassifier.create(theirs, executor, options));
    }
    assertTrue("nothing reached the executor", executor.loads.isEmpty());
    // Without a required key, unsigned bundles keep working.
    try (ElasticClassifier c = ElasticClassifier.fromBuffers(unsigned, executor, ElasticClassifier.Options.defaults())) {
      assertEquals(2, c.plan().depth());
    }
  }

  @Test
  public void requireSignedByNeedsRealKeys() {
    ElasticClassifier.Options.Builder builder = ElasticClassifier.Options.builder();
    assertThrows(IllegalArgumentException.class, builder::requireSignedBy);
    assertThrows(IllegalArgumentException.class, () -> builder.requireSignedBy((java.security.PublicKey) null));
    assertTrue(ElasticClassifier.Options.defaults().requiredSigners().isEmpty());
  }

  private Map<String, ByteBuffer> signed(KeyPair signer) {
    ByteBuffer manifest = unsigned.get(BundleManifest.FILE_NAME);
    byte[] json = new byte[manifest.remaining()];
    manifest.duplicate().get(json);
    Map<String, ByteBuffer> files = new LinkedHashMap<>(unsigned);
    files.put(BundleSignature.FILE_NAME, ByteBuffer.wrap(BundleSignature.sign(json, signer.getPrivate())));
    return files;
  }

  private static void assertSignature(org.junit.function.ThrowingRunnable open) {
    BundleException e = assertThrows(BundleException.class, open);
    assertEquals(e.getMessage(), Problem.SIGNATURE, e.problem());
  }

  private static KeyPair p256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }
}
