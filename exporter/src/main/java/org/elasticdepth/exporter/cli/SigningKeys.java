package org.elasticdepth.exporter.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleSignature;
import org.elasticdepth.runtime.bundle.PemKeys;
import org.elasticdepth.runtime.bundle.Quote;

/**
 * Bundle signing keys for {@code export --sign} and {@code verify --public-key}: PEM files (openssl)
 * through runtime-core's {@link PemKeys}, or a PKCS#12 keystore (keytool) whose password comes
 * from an environment variable, never from the command line.
 */
final class SigningKeys {
  /** The environment variable holding a PKCS#12 keystore's password, unless another is named. */
  static final String DEFAULT_PASSWORD_ENV = "BUNDLE_KEY_PASSWORD";
  private static final long MAX_KEY_FILE_BYTES = 1 << 20;

  private SigningKeys() {}

  /**
   * The private key in {@code file}: an unencrypted PKCS#8 PEM, or a PKCS#12 keystore ({@code .p12}
   * / {@code .pfx}) with its password in the environment variable {@code passwordEnv}, entry {@code
   * alias} (or its only key entry when null).
   */
  static PrivateKey privateKey(Path file, String alias, Password passwordSource) throws IOException {
    if (isKeystore(file)) {
      KeyStore store = keystore(file, passwordSource);
      char[] password = passwordSource.read();
      try {
        String entry = alias != null ? alias : onlyKeyAlias(store, file);
        Key key = store.getKey(entry, password);
        if (!(key instanceof PrivateKey privateKey)) {
          throw new IllegalArgumentException(file + " has no private key entry " + Quote.of(entry));
        }
        BundleSignature.requireP256(privateKey);
        return privateKey;
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot read the key in " + file + ": " + Quote.clip(e.getMessage()), e);
      }
    }
    return PemKeys.privateKey(text(file));
  }

  /**
   * The public key in {@code file}: a PEM public key, a PEM certificate, or a PKCS#12 keystore's
   * certificate ({@code alias}, or its only key entry).
   */
  static PublicKey publicKey(Path file, String alias, Password passwordSource) throws IOException {
    if (isKeystore(file)) {
      KeyStore store = keystore(file, passwordSource);
      try {
        String entry = alias != null ? alias : onlyKeyAlias(store, file);
        if (store.getCertificate(entry) == null) {
          throw new IllegalArgumentException(file + " has no certificate " + Quote.of(entry));
        }
        PublicKey key = store.getCertificate(entry).getPublicKey();
        BundleSignature.requireP256(key);
        return key;
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot read the certificate in " + file + ": " + Quote.clip(e.getMessage()), e);
      }
    }
    return PemKeys.publicKey(text(file));
  }

  private static boolean isKeystore(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".p12") || name.endsWith(".pfx");
  }

  private static KeyStore keystore(Path file, Password passwordSource) throws IOException {
    requireSmallFile(file);
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, passwordSource.read());
      return store;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot open keystore " + file + ": " + Quote.clip(e.getMessage()), e);
    }
  }

  /**
   * Where a keystore's password comes from: the first line of {@code file} when given (as keytool's
   * {@code -storepass:file}), else the environment variable {@code env}.
   */
  record Password(String env, Path file) {
    char[] read() throws IOException {
      if (file != null) {
        requireSmallFile(file);
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").toCharArray();
      }
      String name = env == null ? DEFAULT_PASSWORD_ENV : env;
      String password = System.getenv(name);
      if (password == null) {
        throw new IllegalArgumentException("a PKCS#12 keystore needs its password in the environment variable " + name
            + " (or a file: --key-password-file)");
      }
      return password.toCharArray();
    }
  }

  private static String onlyKeyAlias(KeyStore store, Path file) throws GeneralSecurityException {
    List<String> keys = new ArrayList<>();
    for (String alias : Collections.list(store.aliases())) {
      if (store.isKeyEntry(alias)) {
        keys.add(alias);
      }
    }
    if (keys.size() != 1) {
      throw new IllegalArgumentException(file + " has " + keys.size() + " key entries; name one with --key-alias");
    }
    return keys.get(0);
  }

  private static String text(Path file) throws IOException {
    requireSmallFile(file);
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void requireSmallFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("key file " + file + " does not exist");
    }
    if (Files.size(file) > MAX_KEY_FILE_BYTES) {
      throw new IllegalArgumentException("key file " + file + " has " + Files.size(file) + " bytes: not a key");
    }
  }
}
