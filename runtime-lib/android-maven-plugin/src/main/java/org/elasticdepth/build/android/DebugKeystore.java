package org.elasticdepth.build.android;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.logging.Log;

/**
 * The debug signing key, in the Android SDK's convention (alias androiddebugkey, passwords
 * "android"). Generated with the JDK's keytool when missing, so no private key is ever committed.
 */
final class DebugKeystore {
  static final String ALIAS = "androiddebugkey";
  static final char[] PASSWORD = "android".toCharArray();

  record Key(PrivateKey privateKey, X509Certificate certificate) {}

  private DebugKeystore() {}

  static Key loadOrGenerate(Path keystore, Log log) throws MojoExecutionException {
    if (!Files.exists(keystore)) {
      generate(keystore, log);
    }
    try {
      KeyStore ks = KeyStore.getInstance(keystore.toFile(), PASSWORD);
      if (!(ks.getKey(ALIAS, PASSWORD) instanceof PrivateKey key)
          || !(ks.getCertificate(ALIAS) instanceof X509Certificate cert)) {
        throw new IllegalStateException("it has no private key with alias " + ALIAS);
      }
      return new Key(key, cert);
    } catch (Exception e) {
      throw new MojoExecutionException("The debug keystore " + keystore + " is not usable (" + e.getMessage()
          + "). Delete it and build again to generate a new one, or point -Dandroid.debugKeystore=<file> at a"
          + " keystore with alias " + ALIAS + " and store/key password 'android'.", e);
    }
  }

  private static void generate(Path keystore, Log log) throws MojoExecutionException {
    log.info("Generating debug keystore " + keystore);
    try {
      Files.createDirectories(keystore.toAbsolutePath().getParent());
      // generated beside its final name and renamed, so a parallel build never sees half a keystore
      Path tmp = keystore.resolveSibling(keystore.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      Files.deleteIfExists(tmp);
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-keystore", tmp.toString(),
          "-storetype", "PKCS12", "-storepass", "android", "-keypass", "android", "-alias", ALIAS,
          "-keyalg", "RSA", "-keysize", "2048", "-validity", "10950",
          "-dname", "CN=Android Debug,O=Android,C=US")).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        Files.deleteIfExists(tmp);
        throw new MojoExecutionException("keytool could not generate the debug keystore:\n" + output);
      }
      Files.move(tmp, keystore, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new MojoExecutionException("cannot generate the debug keystore " + keystore + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException("interrupted while generating the debug keystore", e);
    }
  }
}
