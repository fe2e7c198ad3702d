package org.elasticdepth.runtime.bundle;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.ECParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.elasticdepth.runtime.bundle.BundleException.Problem;

/**
 * The bundle's detached signature, {@value #FILE_NAME}: ECDSA on curve P-256 with SHA-256 over the
 * exact bytes of manifest.json, which hold every graph's SHA-256 and size, so one signature covers
 * the whole bundle. The file is strict JSON:
 *
 * <pre>
 * {"format": "elastic-vit-bundle-signature", "formatVersion": 1,
 *  "algorithm": "SHA256withECDSA", "signature": "3045...(hex of the DER-encoded signature)"}
 * </pre>
 *
 * <p>Plain JCA ({@code Signature.getInstance("SHA256withECDSA")}), hex rather than Base64, so the
 * same code verifies on Android from API 24 and on desktop. The signature can also be checked with
 * openssl: {@code openssl dgst -sha256 -verify key.pub.pem -signature <(hex-decoded signature)
 * manifest.json}.
 */
public final class BundleSignature {
  /** The signature's file name in a bundle, beside manifest.json. */
  public static final String FILE_NAME = BundleManifest.FILE_NAME + ".sig";
  /** The format name every signature file carries. */
  public static final String FORMAT = "elastic-vit-bundle-signature";
  /** The newest signature format version this code reads and writes. */
  public static final int FORMAT_VERSION = 1;
  /** The JCA algorithm of the signature. */
  public static final String ALGORITHM = "SHA256withECDSA";

  // The order of P-256's base point (FIPS 186-4, D.1.2.3): identifies the curve among 256-bit ones.
  private static final BigInteger P256_ORDER =
      new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
  private static final int MAX_DER_SIGNATURE_BYTES = 80; // 72 for P-256

  private BundleSignature() {}

  /**
   * The signature file for {@code manifestJson} (exact bytes), signed with {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is not an EC P-256 private key
   */
  public static byte[] sign(byte[] manifestJson, PrivateKey key) {
    requireP256(key);
    byte[] der;
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(manifestJson);
      der = signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
    JsonObject file = new JsonObject();
    file.addProperty("format", FORMAT);
    file.addProperty("formatVersion", FORMAT_VERSION);
    file.addProperty("algorithm", ALGORITHM);
    file.addProperty("signature", Hex.encode(der));
    return (new GsonBuilder().setPrettyPrinting().create().toJson(file) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks that {@code signatureFile} is a valid signature of {@code manifestJson} by one of
   * {@code trusted}.
   *
   * @param signatureFile the file's bytes, or null if the bundle has none
   * @throws BundleException {@link Problem#SIGNATURE} if it is missing, malformed, by another key
   *     or over other bytes
   */
  public static void verify(byte[] manifestJson, byte[] signatureFile, List<PublicKey> trusted) {
    if (signatureFile == null) {
      throw new BundleException(Problem.SIGNATURE, "the bundle is not signed (no " + FILE_NAME
          + ") but a signature by one of " + trusted.size() + " key(s) is required");
    }
    byte[] der = parse(signatureFile);
    for (PublicKey key : trusted) {
      try {
        Signature verifier = Signature.getInstance(ALGORITHM);
        verifier.initVerify(key);
        verifier.update(manifestJson);
        if (verifier.verify(der)) {
          return;
        }
      } catch (GeneralSecurityException e) {
        // An invalid encoding verifies with no key: fall through to the refusal below.
      }
    }
    throw new BundleException(Problem.SIGNATURE, FILE_NAME + " does not verify " + BundleManifest.FILE_NAME
        + " with the " + (trusted.size() == 1 ? "required key" : "any of the " + trusted.size() + " required keys")
        + ": it was signed by another key, or the manifest was changed after signing");
  }

  /** The DER signature inside a signature file. */
  private static byte[] parse(byte[] signatureFile) {
    JsonElement root = StrictJson.parse(FILE_NAME, ByteBuffer.wrap(signatureFile), Problem.SIGNATURE);
    if (!root.isJsonObject()) {
      throw malformed("must be a JSON object");
    }
    JsonObject o = root.getAsJsonObject();
    if (!FORMAT.equals(string(o, "format"))) {
      throw malformed("format must be \"" + FORMAT + "\", got " + Quote.of(string(o, "format")));
    }
    JsonElement version = o.get("formatVersion");
    if (version == null || !version.isJsonPrimitive() || !version.getAsJsonPrimitive().isNumber()
        || version.getAsDouble() != FORMAT_VERSION) {
      throw malformed("formatVersion must be " + FORMAT_VERSION + " (this runtime reads no other)");
    }
    if (!ALGORITHM.equals(string(o, "algorithm"))) {
      throw malformed("algorithm must be \"" + ALGORITHM + "\", got " + Quote.of(string(o, "algorithm")));
    }
    String hex = string(o, "signature");
    byte[] der = hex == null || hex.length() > 2 * MAX_DER_SIGNATURE_BYTES ? null : Hex.decode(hex);
    if (der == null || der.length == 0) {
      throw malformed("signature must be the hex of a DER-encoded ECDSA signature, got " + Quote.of(hex));
    }
    return der;
  }

  private static String string(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
  }

  private static BundleException malformed(String what) {
    return new BundleException(Problem.SIGNATURE, FILE_NAME + " is malformed: " + what);
  }

  /**
   * The keys as a list, checked: none null, each an EC key on P-256.
   *
   * @throws IllegalArgumentException naming the first bad key
   */
  public static List<PublicKey> checkedKeys(PublicKey... keys) {
    if (keys == null || keys.length == 0) {
      return Collections.emptyList();
    }
    List<PublicKey> out = new ArrayList<>(keys.length);
    for (PublicKey key : keys) {
      requireP256(key);
      out.add(key);
    }
    return Collections.unmodifiableList(out);
  }

  /** @throws IllegalArgumentException if {@code key} is null or not an EC key on curve P-256 */
  public static void requireP256(Key key) {
    if (key == null) {
      throw new IllegalArgumentException("a bundle signing key must not be null");
    }
    ECParameterSpec params = key instanceof ECKey ec ? ec.getParams() : null;
    if (params == null || !P256_ORDER.equals(params.getOrder())) {
      throw new IllegalArgumentException("bundle signatures use EC keys on curve P-256 (secp256r1, prime256v1); got a "
          + key.getAlgorithm() + " key" + (params == null ? "" : " on another curve"));
    }
  }

  /** Lower-case hex without {@code java.util.HexFormat} (API 34) or Base64 (API 26). */
  static final class Hex {
    private Hex() {}

    static String encode(byte[] bytes) {
      StringBuilder hex = new StringBuilder(2 * bytes.length);
      for (byte b : bytes) {
        hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return hex.toString();
    }

    /** The bytes of {@code hex} (either case), or null if it is not an even number of hex digits. */
    static byte[] decode(String hex) {
      if (hex.length() % 2 != 0) {
        return null;
      }
      byte[] out = new byte[hex.length() / 2];
      for (int i = 0; i < out.length; i++) {
        int high = digit(hex.charAt(2 * i));
        int low = digit(hex.charAt(2 * i + 1));
        if (high < 0 || low < 0) {
          return null;
        }
        out[i] = (byte) (high << 4 | low);
      }
      return out;
    }

    /** ASCII hex digits only (Character.digit also takes other scripts' digits). */
    private static int digit(char c) {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
      }
      return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
  }
}
