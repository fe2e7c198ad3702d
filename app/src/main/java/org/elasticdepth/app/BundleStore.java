package org.elasticdepth.app;

import android.content.ContentResolver;
import android.content.Context;
import android.content.SharedPreferences;
import android.database.Cursor;
import android.net.Uri;
import android.provider.OpenableColumns;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The bundles the user opened ("Open bundle…"): private copies under {@code files/bundles/} and
 * which one is in use, remembered in SharedPreferences across restarts. Only the bundle in use is
 * kept; a copy is written as {@code .part} and renamed when complete, so nothing half-written is
 * ever offered. File methods do I/O: call them off the main thread.
 */
public final class BundleStore {
  static final String PREFS = "demo_bundle";
  private static final String KEY_FILE = "file";
  private static final String KEY_NAME = "name";
  /** Bigger documents are refused before copying: no phone model bundle is this large. */
  static final long MAX_BYTES = 1L << 30;

  private final File dir;
  private final SharedPreferences prefs;

  public BundleStore(Context context) {
    this.dir = new File(context.getFilesDir(), "bundles");
    this.prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE);
  }

  /** The bundle in use at the last run: the built-in one unless the user switched. */
  public BundleChoice remembered() {
    String file = prefs.getString(KEY_FILE, null);
    String name = prefs.getString(KEY_NAME, null);
    if (file == null || file.isEmpty() || file.contains("/") || name == null || name.isEmpty()) {
      return BundleChoice.BUILT_IN;
    }
    return new BundleChoice(new File(dir, file), name); // if it is gone, opening it says so
  }

  public void remember(BundleChoice choice) {
    if (choice.isBuiltIn()) {
      prefs.edit().remove(KEY_FILE).remove(KEY_NAME).apply();
    } else {
      prefs.edit().putString(KEY_FILE, choice.zip().getName()).putString(KEY_NAME, choice.name()).apply();
    }
  }

  /**
   * Copies the document at {@code uri} into private storage. Background thread.
   *
   * @throws IOException naming the problem (unreadable, too big, disk full); nothing is left behind
   */
  public BundleChoice importDocument(ContentResolver resolver, Uri uri, String name) throws IOException {
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new IOException("cannot create " + dir);
    }
    File part = File.createTempFile("import-", ".zip.part", dir);
    try (InputStream in = resolver.openInputStream(uri)) {
      if (in == null) {
        throw new IOException("the document provider returned nothing");
      }
      copy(in, part);
      File done = new File(dir, part.getName().substring(0, part.getName().length() - ".part".length()));
      if (!part.renameTo(done)) {
        throw new IOException("cannot rename " + part + " to " + done);
      }
      return new BundleChoice(done, name);
    } finally {
      if (part.exists() && !part.delete()) {
        part.deleteOnExit();
      }
    }
  }

  /** Deletes every stored copy except {@code keep}'s (left over from switches, refusals, or a crash mid-copy). */
  public void deleteAllBut(BundleChoice keep) {
    File[] files = dir.listFiles();
    if (files == null) {
      return;
    }
    for (File f : files) {
      if (keep.isBuiltIn() || !f.equals(keep.zip())) {
        f.delete();
      }
    }
  }

  /** The document's display name, else the last segment of its URI. Background thread (may query a provider). */
  public static String displayName(ContentResolver resolver, Uri uri) {
    try (Cursor c = resolver.query(uri, new String[] {OpenableColumns.DISPLAY_NAME}, null, null, null)) {
      if (c != null && c.moveToFirst() && !c.isNull(0)) {
        String name = c.getString(0);
        if (name != null && !name.isEmpty()) {
          return name;
        }
      }
    } catch (RuntimeException e) {
      // a provider that cannot answer: fall back to the URI
    }
    String last = uri.getLastPathSegment();
    return last == null || last.isEmpty() ? uri.toString() : last;
  }

  private static void copy(InputStream in, File target) throws IOException {
    try (OutputStream out = new FileOutputStream(target)) {
      byte[] chunk = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(chunk)) > 0; ) {
        total += n;
        if (total > MAX_BYTES) {
          throw new IOException("larger than " + (MAX_BYTES >> 20) + " MB, not a phone bundle");
        }
        out.write(chunk, 0, n);
      }
    }
  }
}
