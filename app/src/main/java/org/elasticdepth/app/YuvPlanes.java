package org.elasticdepth.app;

import java.nio.ByteBuffer;

/**
 * The three planes of a YUV_420_888 image with their strides, as {@code android.media.Image}
 * hands them out. A plain value so that {@link YuvConverter} runs (and is tested) without a camera.
 */
public record YuvPlanes(
    int width,
    int height,
    ByteBuffer y,
    int yRowStride,
    int yPixelStride,
    ByteBuffer u,
    ByteBuffer v,
    int uvRowStride,
    int uvPixelStride) {

  /** Reads a YUV_420_888 {@code android.media.Image}; the buffers stay valid until the image is closed. */
  public static YuvPlanes of(android.media.Image image) {
    android.media.Image.Plane[] p = image.getPlanes();
    return new YuvPlanes(
        image.getWidth(),
        image.getHeight(),
        p[0].getBuffer(),
        p[0].getRowStride(),
        p[0].getPixelStride(),
        p[1].getBuffer(),
        p[2].getBuffer(),
        p[1].getRowStride(),
        p[1].getPixelStride());
  }
}
