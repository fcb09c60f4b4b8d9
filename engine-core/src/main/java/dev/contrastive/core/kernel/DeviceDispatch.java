package dev.contrastive.core.kernel;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses between the device kernels ({@link DeviceKernels}, present in {@code -Pcuda} builds) and the
 * tiled CPU/ND4J path. System property {@code contrastive.kernel=nd4j} keeps every loss on the ND4J
 * path, as it does for the CPU's native kernel; otherwise a provider is used whenever it accepts the
 * arrays (float32 on the CUDA backend).
 */
public final class DeviceDispatch {

  private static final Logger LOG = LoggerFactory.getLogger(DeviceDispatch.class);
  private static final DeviceKernels PROVIDER = load();
  private static volatile boolean enabled = PROVIDER != null;

  private DeviceDispatch() {}

  /** Whether this build has device kernels and {@code contrastive.kernel} did not refuse them. */
  public static boolean isAvailable() {
    return PROVIDER != null;
  }

  /** Whether accepted arrays currently take the device kernels. */
  public static boolean isEnabled() {
    return enabled;
  }

  /**
   * Switches between the device kernels and the ND4J path at run time, for tests and benchmarks that
   * compare the two in one JVM.
   */
  public static void setEnabled(boolean on) {
    if (on && PROVIDER == null) {
      throw new IllegalStateException(
          "no device kernels in this build (they come with -Pcuda) or contrastive.kernel=nd4j");
    }
    enabled = on;
  }

  /** The device kernels for arrays like this one, or null to take the tiled path. */
  static DeviceKernels forArrays(INDArray like) {
    DeviceKernels p = PROVIDER;
    return enabled && p != null && p.accepts(like) ? p : null;
  }

  private static DeviceKernels load() {
    if ("nd4j".equals(System.getProperty("contrastive.kernel", "auto"))) {
      return null;
    }
    try {
      return ServiceLoader.load(DeviceKernels.class, DeviceDispatch.class.getClassLoader())
          .findFirst()
          .orElse(null);
    } catch (ServiceConfigurationError | LinkageError e) {
      // A provider whose backend classes are missing (a CPU build over stale -Pcuda classes).
      LOG.warn("device kernels unavailable, using the tiled path (stale -Pcuda output in target/?"
          + " mvn clean fixes that): {}", e.toString());
      return null;
    }
  }
}
