package org.elasticdepth.runtime;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.elasticdepth.runtime.bundle.BundleManifest.Input;
import org.junit.Test;

public class InputTranslatorTest {
  private static final Input GREY = new Input("NHWC", 4, 4, 1, 1 / 255f, new float[] {0.5f}, new float[] {0.25f}, "center-crop");
  private static final Input RGB = new Input("NHWC", 2, 2, 3, 1 / 255f, new float[] {0.1f, 0.2f, 0.3f},
      new float[] {0.5f, 0.25f, 0.125f}, "stretch");

  private static int grey(int v) {
    return 0xff000000 | v << 16 | v << 8 | v;
  }

  private static float normalisedGrey(int v) {
    return (v * (1 / 255f) - 0.5f) / 0.25f;
  }

  @Test
  public void samePictureSizeIsCopiedExactly() {
    int[] argb = new int[16];
    float[] expected = new float[16];
    for (int i = 0; i < 16; i++) {
      argb[i] = grey(i * 16);
      expected[i] = normalisedGrey(i * 16);
    }
    assertArrayEquals(expected, InputTranslator.of(GREY).translate(argb, 4, 4), 0f);
  }

  @Test
  public void centerCropKeepsTheMiddleOfAWidePicture() {
    // 8x4: columns 0-1 and 6-7 black, the centred 4x4 square carries the values.
    int[] argb = new int[32];
    float[] expected = new float[16];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 8; x++) {
        boolean inside = x >= 2 && x < 6;
        int v = inside ? 10 * (y * 4 + x - 2) + 5 : 0;
        argb[y * 8 + x] = grey(v);
        if (inside) {
          expected[y * 4 + x - 2] = normalisedGrey(v);
        }
      }
    }
    assertArrayEquals(expected, InputTranslator.of(GREY).translate(argb, 8, 4), 1e-5f);
  }

  @Test
  public void luminanceWeighsRedGreenBlue() {
    int[] argb = new int[16];
    java.util.Arrays.fill(argb, 0xff000000 | 200 << 16 | 100 << 8 | 50);
    float luminance = (299 * 200 + 587 * 100 + 114 * 50) / 1000f;
    float[] out = InputTranslator.of(GREY).translate(argb, 4, 4);
    for (float v : out) {
      assertEquals((luminance / 255f - 0.5f) / 0.25f, v, 1e-5f);
    }
  }

  @Test
  public void rgbIsWrittenNhwcWithPerChannelNormalisation() {
    int[] argb = {0x80ff0000, 0xff00ff00, 0xff0000ff, 0xffffffff}; // alpha is ignored
    float[] out = InputTranslator.of(RGB).translate(argb, 2, 2);
    float[] expected = {
        (1 - 0.1f) / 0.5f, (0 - 0.2f) / 0.25f, (0 - 0.3f) / 0.125f,
        (0 - 0.1f) / 0.5f, (1 - 0.2f) / 0.25f, (0 - 0.3f) / 0.125f,
        (0 - 0.1f) / 0.5f, (0 - 0.2f) / 0.25f, (1 - 0.3f) / 0.125f,
        (1 - 0.1f) / 0.5f, (1 - 0.2f) / 0.25f, (1 - 0.3f) / 0.125f};
    assertArrayEquals(expected, out, 1e-5f);
  }

  @Test
  public void stretchResizesBilinearly() {
    // A 4x2 horizontal ramp 0, 60, 120, 180 shrunk to 2x2: pixel centres fall between columns.
    int[] argb = new int[8];
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        argb[y * 4 + x] = 0xff000000 | (60 * x) << 16;
      }
    }
    float[] out = InputTranslator.of(RGB).translate(argb, 4, 2);
    assertEquals((30 / 255f - 0.1f) / 0.5f, out[0], 1e-5f); // between 0 and 60
    assertEquals((150 / 255f - 0.1f) / 0.5f, out[3], 1e-5f); // between 120 and 180
  }

  @Test
  public void largeDownscaleAveragesInsteadOfAliasing() {
    // A 64x64 one-pixel checkerboard of 0 and 255 must become mid-grey, not black or white.
    int[] argb = new int[64 * 64];
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        argb[y * 64 + x] = grey((x + y) % 2 == 0 ? 0 : 255);
      }
    }
    for (float v : InputTranslator.of(GREY).translate(argb, 64, 64)) {
      assertEquals(normalisedGrey(128), v, 0.1f);
    }
  }

  @Test
  public void wrongPixelCountIsAnInputException() {
    try {
      InputTranslator.of(GREY).translate(new int[15], 4, 4);
      fail();
    } catch (InputException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("15 pixels") && e.getMessage().contains("4x4 = 16"));
    }
    try {
      InputTranslator.of(GREY).translate(new int[0], 0, 4);
      fail();
    } catch (InputException e) {
      assertTrue(e.getMessage().contains("positive"));
    }
    try {
      InputTranslator.of(GREY).translate(new int[16], 4, 4, new float[15]);
      fail();
    } catch (InputException e) {
      assertTrue(e.getMessage().contains("out holds 15"));
    }
  }

  @Test
  public void unsupportedChannelCountIsRejected() {
    Input two = new Input("NHWC", 2, 2, 2, 1f, new float[] {0, 0}, new float[] {1, 1}, "stretch");
    try {
      InputTranslator.of(two);
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("1 or 3 channels"));
    }
  }
}
