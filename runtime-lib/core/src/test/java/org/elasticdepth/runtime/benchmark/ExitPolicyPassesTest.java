package org.elasticdepth.runtime.benchmark;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.PolicyResult;
import org.elasticdepth.runtime.benchmark.BenchmarkResult.Status;
import org.elasticdepth.runtime.bundle.Bundle;
import org.elasticdepth.runtime.bundle.BundleManifest.Calibration;
import org.elasticdepth.runtime.bundle.BundleManifest.FrontierPoint;
import org.elasticdepth.runtime.bundle.BundleManifest.Guarantee;
import org.elasticdepth.runtime.bundle.BundleManifest.LossBound;
import org.junit.Test;

/** The suite's exit-policy part on the fake executor: guaranteed and latency policies, predicted vs measured. */
public class ExitPolicyPassesTest {
  /** 0.9 exits the samples at layers 1, 2, 2, 4, 4 and is certified; 0.5's bound fails. */
  private static Calibration guaranteed() {
    return new Calibration("validation", List.of(0.4, 0.6, 0.8, 0.9), List.of(
        new FrontierPoint(0.5, 0.8, 2.0, 2.0, List.of(3L, 1L, 0L, 1L), List.of(0.4, 0.7, 0.7, 0.8),
            new LossBound(1000, 50, 0.063)),
        new FrontierPoint(0.9, 0.85, 2.6, 4 / 2.6, List.of(1L, 2L, 0L, 2L), List.of(0.2, 0.6, 0.6, 0.85),
            new LossBound(1000, 2, 0.0063))),
        0.01, 0.9, new Guarantee(Guarantee.DISAGREEMENT, 0.95, 0.01, 0.9));
  }

  private static BenchmarkResult run(Calibration calibration, List<Double> targets) {
    try (Bundle bundle = FakeBundles.bundle(false, calibration)) {
      return BenchmarkSuite.create(BenchmarkSuiteTest.options().latencyTargetsMs(targets)
              .addExecutor("cpu", () -> new FakeBundles.FakeExecutor(List.of(), List.of())).build())
          .run(bundle, ProgressListener.NONE);
    }
  }

  @Test
  public void guaranteedAndLatencyPoliciesRecordPredictedAndMeasured() throws Exception {
    BenchmarkResult r = run(guaranteed(), List.of(1e-6, 1e4));
    List<PolicyResult> policies = r.executors().get(0).exitPolicies();
    assertEquals(3, policies.size());

    PolicyResult g = policies.get(0);
    assertEquals("guaranteed", g.policy());
    assertEquals(Status.OK, g.status());
    assertEquals(0.9, g.threshold(), 0);
    assertEquals(0.01, g.guaranteedMaxDrop(), 0);
    assertEquals(0.85, g.predictedAccuracy(), 0);
    assertEquals(0.8, g.measuredAccuracy(), 1e-12); // the fake gets the last sample wrong
    assertEquals(0.0, g.measuredDisagreement(), 0); // every early answer equals the full-depth one
    assertEquals(5, (int) g.runs());
    assertTrue(g.predictedMeanMs() > 0 && g.measuredMeanMs() > 0);
    assertTrue(g.description(), g.description().contains("guaranteed"));

    PolicyResult impossible = policies.get(1);
    assertEquals("latency", impossible.policy());
    assertFalse(impossible.targetMet());
    assertEquals(1, (int) impossible.depthCap());
    assertTrue(impossible.description(), impossible.description().contains("cannot be met"));

    PolicyResult generous = policies.get(2);
    assertTrue(generous.targetMet());
    assertEquals(4, (int) generous.depthCap());
    assertNull(generous.threshold()); // full depth without exit is the most accurate (.9)
    assertEquals(0.9, generous.predictedAccuracy(), 1e-12);
    assertEquals(0.8, generous.measuredAccuracy(), 1e-12);
    assertEquals(1e4, generous.targetMs(), 0);

    String json = BenchmarkJson.toJson(r);
    assertEquals(policies, BenchmarkJson.parse(json).executors().get(0).exitPolicies());
    try (InputStream in = BenchmarkJson.class.getResourceAsStream(BenchmarkJson.SCHEMA_RESOURCE)) {
      assertEquals(Set.of(), JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in)
          .validate(new ObjectMapper().readTree(json)));
    }
  }

  @Test
  public void withoutGuaranteeTheGuaranteedPassIsSkippedAndDefaultTargetsSpanTheDepths() {
    BenchmarkResult r = run(new Calibration("validation", List.of(0.4, 0.6, 0.8, 0.9),
        List.of(new FrontierPoint(0.9, 0.9, 2.5, 1.6)), 0.01, 0.9), List.of());
    List<PolicyResult> policies = r.executors().get(0).exitPolicies();
    assertEquals(1 + ExitPolicyPasses.DEFAULT_TARGETS, policies.size());
    assertEquals(Status.SKIPPED, policies.get(0).status());
    assertTrue(policies.get(0).message().contains("no guaranteed calibration"));
    // evenly spaced from the measured depth-1 time to the full-depth time (their order is up to the fake's timing)
    List<PolicyResult> latency = policies.subList(1, policies.size());
    double first = latency.get(0).targetMs();
    double step = (latency.get(latency.size() - 1).targetMs() - first) / (latency.size() - 1);
    for (int k = 0; k < latency.size(); k++) {
      assertEquals(Status.OK, latency.get(k).status());
      assertTrue(latency.get(k).targetMs() > 0);
      assertEquals(first + k * step, latency.get(k).targetMs(), 1e-9);
    }
  }

  @Test
  public void olderFilesWithoutPoliciesStillParse() {
    String json = BenchmarkJson.toJson(run(guaranteed(), List.of(1.0)));
    com.google.gson.JsonObject root = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
    root.getAsJsonArray("executors").get(0).getAsJsonObject().remove("exitPolicies");
    String old = root.toString();
    assertFalse(old.contains("exitPolicies"));
    assertTrue(BenchmarkJson.parse(old).executors().get(0).exitPolicies().isEmpty());
  }
}
