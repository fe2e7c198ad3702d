package org.elasticdepth.runtime.spi;

/** The hardware a graph actually ran on. */
public enum Accelerator {
  /** TFLite's CPU kernels, normally through the XNNPACK delegate. */
  CPU,
  /** TFLite's GPU delegate (OpenCL, or OpenGL ES where OpenCL is missing). */
  GPU,
  /** Android's Neural Networks API (deprecated from Android 15). */
  NNAPI
}
