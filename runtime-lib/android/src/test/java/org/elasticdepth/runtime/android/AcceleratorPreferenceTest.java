package org.elasticdepth.runtime.android;

import static org.elasticdepth.runtime.spi.Accelerator.CPU;
import static org.elasticdepth.runtime.spi.Accelerator.GPU;
import static org.elasticdepth.runtime.spi.Accelerator.NNAPI;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

public class AcceleratorPreferenceTest {
  @Test
  public void autoUsesTheGpuOnlyWhenTheCompatibilityListAllowsIt() {
    assertEquals(List.of(GPU, CPU), AcceleratorPreference.AUTO.attempts(true));
    assertEquals(List.of(CPU), AcceleratorPreference.AUTO.attempts(false));
    assertTrue(AcceleratorPreference.AUTO.consultsCompatibilityList());
  }

  @Test
  public void explicitChoicesIgnoreTheListAndAlwaysEndOnTheCpu() {
    for (boolean listed : new boolean[] {true, false}) {
      assertEquals(List.of(GPU, CPU), AcceleratorPreference.GPU.attempts(listed));
      assertEquals(List.of(NNAPI, CPU), AcceleratorPreference.NNAPI.attempts(listed));
      assertEquals(List.of(CPU), AcceleratorPreference.CPU.attempts(listed));
    }
    assertFalse(AcceleratorPreference.GPU.consultsCompatibilityList());
    assertFalse(AcceleratorPreference.CPU.consultsCompatibilityList());
  }

  @Test
  public void nnapiIsNeverTriedUnlessChosen() {
    for (AcceleratorPreference p : AcceleratorPreference.values()) {
      if (p != AcceleratorPreference.NNAPI) {
        assertFalse(p + " tries NNAPI", p.attempts(true).contains(NNAPI) || p.attempts(false).contains(NNAPI));
      }
    }
  }
}
