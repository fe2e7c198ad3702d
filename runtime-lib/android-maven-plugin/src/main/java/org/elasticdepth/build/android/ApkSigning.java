package org.elasticdepth.build.android;

import com.android.apksig.ApkSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;

/** Signs an APK with v1 (JAR), v2 and v3 signature schemes using apksig; also aligns it. */
final class ApkSigning {
  private ApkSigning() {}

  static void sign(Path unsigned, Path signed, DebugKeystore.Key key, int minSdk) throws MojoExecutionException {
    Path tmp = signed.resolveSibling(signed.getFileName() + ".tmp");
    try {
      ApkSigner.SignerConfig signer = new ApkSigner.SignerConfig.Builder(
          "CERT", key.privateKey(), List.of(key.certificate())).build();
      new ApkSigner.Builder(List.of(signer))
          .setInputApk(unsigned.toFile())
          .setOutputApk(tmp.toFile())
          .setMinSdkVersion(minSdk)
          .setV1SigningEnabled(true)
          .setV2SigningEnabled(true)
          .setV3SigningEnabled(true)
          .setCreatedBy("elasticdepth android-maven-plugin")
          .build()
          .sign();
      Files.move(tmp, signed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (Exception e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (java.io.IOException ignored) {
        // the signing error below is the one worth reporting
      }
      throw new MojoExecutionException("signing " + unsigned + " failed: " + e.getMessage(), e);
    }
  }
}
