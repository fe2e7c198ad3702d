package org.elasticdepth.runtime.bundle;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 as lower-case hex, for bundle files. */
public final class Sha256 {
  private Sha256() {}

  public static String hex(byte[] content) {
    return hex(ByteBuffer.wrap(content));
  }

  /** Hashes the remaining bytes of {@code content} without moving its position. */
  public static String hex(ByteBuffer content) {
    MessageDigest digest = newDigest();
    digest.update(content.duplicate());
    StringBuilder hex = new StringBuilder(64);
    for (byte b : digest.digest()) {
      hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return hex.toString();
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
