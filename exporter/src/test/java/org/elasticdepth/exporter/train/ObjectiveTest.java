package org.elasticdepth.exporter.train;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.elasticdepth.exporter.model.ElasticVit;
import org.elasticdepth.exporter.model.VitConfig;
import org.elasticdepth.exporter.testing.FreedMemory;
import org.junit.Test;

public class ObjectiveTest {
  private static final int BATCH = 4;

  /**
   * Regression for every mode's loss: no operand autograd keeps for backward may live in Java memory
   * that the garbage collector can free in between (a Java number passed to an op is such an operand).
   */
  @Test
  public void everyModesGradientIsTheSameWhateverIsFreedBeforeBackward() throws InterruptedException {
    for (TrainingMode mode : TrainingMode.values()) {
      float[] quiet = firstBlockGradient(mode, false);
      float[] churned = firstBlockGradient(mode, true);
      assertTrue(mode + ": the loss must reach block 1", Math.abs(quiet[0]) + Math.abs(quiet[1]) > 0);
      assertArrayEquals(mode + " gradient", quiet, churned, 0f);
    }
  }

  private static float[] firstBlockGradient(TrainingMode mode, boolean churnMemory) throws InterruptedException {
    VitConfig config = SyntheticData.tinyModel();
    TrainingOptions options = new TrainingOptions(mode, 1, BATCH, 1e-3f, 0f, TrainingOptions.COSINE, 0f,
        true /* aligned loss on every step */, 1f, 5, 1);
    Objective objective = new Objective(options, config.depth());
    try (ElasticVit vit = ElasticVit.initialize(config, mode.headLayout(), 5);
        NDManager manager = NDManager.newBaseManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      Random random = new Random(11);
      float[] pixels = new float[BATCH * config.channels() * config.imageSize() * config.imageSize()];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) random.nextGaussian();
      }
      NDArray images = ElasticVit.torchOwned(manager.create(pixels,
          new Shape(BATCH, config.channels(), config.imageSize(), config.imageSize())));
      NDArray oneHot = ElasticVit.torchOwned(manager.create(new int[] {0, 1, 2, 1})).oneHot(config.numClasses());
      NDList features = vit.forwardFeatures(images, true);
      NDArray loss = objective.loss(vit, 1, features, oneHot).loss();
      List<ByteBuffer> taken = churnMemory ? FreedMemory.reuse(Float.BYTES, 2000) : null;
      collector.backward(loss);
      Reference.reachabilityFence(taken);
      return vit.trainableWeights().get("block1.mlp.fc1.weight").getGradient().toFloatArray();
    }
  }
}
