package org.elasticdepth.runtime.bundle;

/**
 * Values from a bundle as they may appear in messages: at most {@link #MAX_CHARS} characters, on one
 * line, control characters escaped. Every message that echoes bundle content goes through here, so a
 * hostile manifest cannot produce a megabyte-long or multi-line error.
 */
public final class Quote {
  /** Characters of a value shown before it is cut. */
  public static final int MAX_CHARS = 64;

  private Quote() {}

  /** {@code "value"}, cut to {@link #MAX_CHARS} characters ({@code "abc..." (1234 chars)}); {@code null} as is. */
  public static String of(Object value) {
    if (value == null) {
      return "null";
    }
    return "\"" + clip(String.valueOf(value)) + "\"";
  }

  /** The text itself, unquoted, cut and escaped as {@link #of} does (for exception messages and numbers). */
  public static String clip(String text) {
    return clip(text, MAX_CHARS);
  }

  /** As {@link #clip(String)} with room for {@code maxChars} characters (for library messages that carry positions). */
  public static String clip(String text, int maxChars) {
    if (text == null) {
      return "null";
    }
    int shown = Math.min(text.length(), maxChars);
    if (shown < text.length() && Character.isHighSurrogate(text.charAt(shown - 1))) {
      shown--; // never split a surrogate pair
    }
    StringBuilder out = new StringBuilder(shown + 24);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (shown < text.length()) {
      out.append("...(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
