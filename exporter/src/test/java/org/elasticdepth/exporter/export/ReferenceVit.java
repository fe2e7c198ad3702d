package org.elasticdepth.exporter.export;

import org.elasticdepth.exporter.verify.LayerwiseReference;
import org.elasticdepth.runtime.bundle.BundleManifest.Model;

/**
 * A plain-Java (double accumulation) forward pass of the elastic ViT, written straight from the
 * architecture contract of {@code ElasticVit}: the DJL-independent reference for graph tests.
 */
public final class ReferenceVit implements LayerwiseReference {
  private final Model m;
  private final VitWeights w;

  public ReferenceVit(Model model, VitWeights weights) {
    this.m = model;
    this.w = weights;
  }

  /** Tokens [N][D] of the NHWC image starting at {@code offset}. */
  public float[][] stem(float[] image, int offset) {
    int s = m.imageSize();
    int c = m.channels();
    int p = m.patchSize();
    int d = m.dim();
    int grid = s / p;
    float[] conv = w.values("stem.patch.weight"); // [D, C, p, p]
    float[] bias = w.values("stem.patch.bias");
    float[] cls = w.values("stem.cls");
    float[] pos = w.values("stem.pos");
    float[][] tokens = new float[m.tokens()][d];
    for (int o = 0; o < d; o++) {
      tokens[0][o] = cls[o] + pos[o];
    }
    for (int gy = 0; gy < grid; gy++) {
      for (int gx = 0; gx < grid; gx++) {
        int t = 1 + gy * grid + gx;
        for (int o = 0; o < d; o++) {
          double sum = bias[o];
          for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < p; ky++) {
              for (int kx = 0; kx < p; kx++) {
                int y = gy * p + ky;
                int x = gx * p + kx;
                sum += conv[((o * c + ch) * p + ky) * p + kx] * image[offset + (y * s + x) * c + ch];
              }
            }
          }
          tokens[t][o] = (float) sum + pos[t * d + o];
        }
      }
    }
    return tokens;
  }

  /** Block {@code layer} (1-based) applied to tokens [N][D]. */
  public float[][] block(int layer, float[][] x) {
    String b = "block" + layer + ".";
    int n = x.length;
    int d = m.dim();
    int heads = m.heads();
    int dh = d / heads;
    float[][] normed = layerNorm(x, b + "ln1");
    float[][] qkv = linear(normed, b + "attn.qkv");
    float[][] context = new float[n][d];
    double scale = 1 / Math.sqrt(dh);
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < n; i++) {
        double[] scores = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          double dot = 0;
          for (int e = 0; e < dh; e++) {
            dot += (double) qkv[i][h * dh + e] * qkv[j][d + h * dh + e];
          }
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        double total = 0;
        for (int j = 0; j < n; j++) {
          scores[j] = Math.exp(scores[j] - max);
          total += scores[j];
        }
        for (int e = 0; e < dh; e++) {
          double sum = 0;
          for (int j = 0; j < n; j++) {
            sum += scores[j] / total * qkv[j][2 * d + h * dh + e];
          }
          context[i][h * dh + e] = (float) sum;
        }
      }
    }
    float[][] h1 = add(x, linear(context, b + "attn.proj"));
    float[][] hidden = linear(layerNorm(h1, b + "ln2"), b + "mlp.fc1");
    for (float[] row : hidden) {
      for (int k = 0; k < row.length; k++) {
        row[k] = (float) (0.5 * row[k] * (1 + erf(row[k] / Math.sqrt(2))));
      }
    }
    return add(h1, linear(hidden, b + "mlp.fc2"));
  }

  /** The shared head on one CLS feature. */
  public float[] head(float[] feature) {
    return linear(layerNorm(new float[][] {feature}, "head.ln"), "head.fc")[0];
  }

  @Override
  public float[][][] layerLogits(float[] imagesNhwc, int batch) {
    int floats = m.imageSize() * m.imageSize() * m.channels();
    float[][][] logits = new float[m.depth()][batch][];
    for (int i = 0; i < batch; i++) {
      float[][] x = stem(imagesNhwc, i * floats);
      for (int l = 1; l <= m.depth(); l++) {
        x = block(l, x);
        logits[l - 1][i] = head(x[0]);
      }
    }
    return logits;
  }

  private float[][] layerNorm(float[][] x, String name) {
    float[] gamma = w.values(name + ".gamma");
    float[] beta = w.values(name + ".beta");
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      double mean = 0;
      for (float v : x[i]) {
        mean += v;
      }
      mean /= x[i].length;
      double var = 0;
      for (float v : x[i]) {
        var += (v - mean) * (v - mean);
      }
      var /= x[i].length;
      double inv = 1 / Math.sqrt(var + m.layerNormEpsilon());
      out[i] = new float[x[i].length];
      for (int k = 0; k < x[i].length; k++) {
        out[i][k] = (float) ((x[i][k] - mean) * inv * gamma[k] + beta[k]);
      }
    }
    return out;
  }

  private float[][] linear(float[][] x, String name) {
    float[] weight = w.values(name + ".weight");
    float[] bias = w.values(name + ".bias");
    int in = x[0].length;
    int out = bias.length;
    float[][] y = new float[x.length][out];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < out; o++) {
        double sum = bias[o];
        for (int k = 0; k < in; k++) {
          sum += (double) weight[o * in + k] * x[i][k];
        }
        y[i][o] = (float) sum;
      }
    }
    return y;
  }

  private static float[][] add(float[][] a, float[][] b) {
    float[][] out = new float[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < a[i].length; k++) {
        out[i][k] = a[i][k] + b[i][k];
      }
    }
    return out;
  }

  /** erf to about 1e-15 (Abramowitz-Stegun 7.1.26 is too coarse for a 1e-6 reference): series / continued fraction. */
  static double erf(double x) {
    double t = Math.abs(x);
    double result;
    if (t < 2.5) {
      // Maclaurin series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
      double term = t;
      double sum = t;
      for (int n = 1; n < 100 && Math.abs(term) > 1e-17; n++) {
        term *= -t * t / n;
        sum += term / (2 * n + 1);
      }
      result = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc continued fraction (Lentz), converges fast for t >= 2.5
      double f = t;
      double c = t;
      double dd = 0;
      for (int n = 1; n < 200; n++) {
        double an = n / 2.0;
        dd = t + an * dd;
        dd = 1 / dd;
        c = t + an / c;
        double delta = c * dd;
        f *= delta;
        if (Math.abs(delta - 1) < 1e-16) {
          break;
        }
      }
      result = 1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -result : result;
  }
}
