package org.elasticdepth.exporter.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to open a PKCS#12 keystore named by {@code export --sign} or {@code verify --public-key}: one definition for both. */
final class KeystoreOptions {
  @Option(names = "--key-alias", description = "the keystore entry to use (default: its only key)")
  String keyAlias;

  @Option(names = "--key-password-env", paramLabel = "VAR", defaultValue = SigningKeys.DEFAULT_PASSWORD_ENV,
      description = "environment variable holding the keystore password (default: ${DEFAULT-VALUE})")
  String keyPasswordEnv;

  @Option(names = "--key-password-file", paramLabel = "FILE", description = "file whose first line is the keystore password")
  Path keyPasswordFile;

  SigningKeys.Password password() {
    return new SigningKeys.Password(keyPasswordEnv, keyPasswordFile);
  }
}
