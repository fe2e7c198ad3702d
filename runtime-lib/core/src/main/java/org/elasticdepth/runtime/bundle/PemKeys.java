package org.elasticdepth.runtime.bundle;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;

/**
 * Bundle signing keys from the PEM text openssl and keytool write: a public key ({@code -----BEGIN
 * PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo, from {@code openssl pkey -pubout}) or a certificate
 * ({@code -----BEGIN CERTIFICATE-----}, from {@code keytool -exportcert -rfc}) for verifying; an
 * unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}, from {@code openssl genpkey})
 * for signing. Every key must be EC P-256. Plain JCA and a small Base64 decoder of its own, so it
 * works on Android from API 24 ({@code java.util.Base64} needs 26).
 */
public final class PemKeys {
  private PemKeys() {}

  /**
   * The public key of a PEM public key or certificate.
   *
   * @throws IllegalArgumentException if the text holds neither, or the key is not EC P-256
   */
  public static PublicKey publicKey(String pem) {
    PublicKey key;
    try {
      if (pem.contains("-----BEGIN CERTIFICATE-----")) {
        key = CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(block(pem, "CERTIFICATE", "a certificate")))
            .getPublicKey();
      } else {
        key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(block(pem, "PUBLIC KEY", "a public key")));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid EC public key or certificate: " + Quote.clip(e.getMessage()), e);
    }
    BundleSignature.requireP256(key);
    return key;
  }

  /**
   * The private key of an unencrypted PKCS#8 PEM.
   *
   * @throws IllegalArgumentException if the text holds none, or the key is not EC P-256
   */
  public static PrivateKey privateKey(String pem) {
    if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new IllegalArgumentException("this is a SEC1 \"EC PRIVATE KEY\"; convert it to PKCS#8 with "
          + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
    }
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new IllegalArgumentException("encrypted PEM keys are not read; use a PKCS#12 keystore (keytool) "
          + "or an unencrypted PKCS#8 key kept private");
    }
    PrivateKey key;
    try {
      key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(block(pem, "PRIVATE KEY", "a private key")));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a valid EC private key: " + Quote.clip(e.getMessage()), e);
    }
    BundleSignature.requireP256(key);
    return key;
  }

  /** The decoded body of the first {@code -----BEGIN type-----} block. */
  private static byte[] block(String pem, String type, String what) {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int start = pem.indexOf(begin);
    int stop = start < 0 ? -1 : pem.indexOf(end, start);
    if (stop < 0) {
      throw new IllegalArgumentException("expected " + what + " in PEM form (" + begin + " ... " + end + ")");
    }
    byte[] der = base64(pem.substring(start + begin.length(), stop));
    if (der == null) {
      throw new IllegalArgumentException("the " + type.toLowerCase(Locale.ROOT) + " PEM block is not valid Base64");
    }
    return der;
  }

  /** Standard Base64 with padding; whitespace ignored; null if malformed. */
  static byte[] base64(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        clean.append(c);
      }
    }
    int padding = 0;
    while (padding < 2 && clean.length() > padding && clean.charAt(clean.length() - 1 - padding) == '=') {
      padding++;
    }
    if (clean.length() % 4 != 0) {
      return null;
    }
    int chars = clean.length() - padding;
    byte[] out = new byte[clean.length() / 4 * 3 - padding];
    int bits = 0;
    int count = 0;
    int o = 0;
    for (int i = 0; i < chars; i++) {
      int v = sextet(clean.charAt(i));
      if (v < 0) {
        return null;
      }
      bits = bits << 6 | v;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out[o++] = (byte) (bits >> count);
        bits &= (1 << count) - 1;
      }
    }
    return o == out.length ? out : null;
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  }
}
