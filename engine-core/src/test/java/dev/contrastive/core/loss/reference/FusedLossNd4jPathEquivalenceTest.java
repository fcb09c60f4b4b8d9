package dev.contrastive.core.loss.reference;

import dev.contrastive.core.kernel.NativeTiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every case of {@link FusedLossEquivalenceTest} again with the native tile kernel switched off, so the
 * pure ND4J path (the fallback, and the path on other backends) meets the same float32 references.
 */
class FusedLossNd4jPathEquivalenceTest extends FusedLossEquivalenceTest {

  private static boolean nativeWasEnabled;

  @BeforeAll
  static void useNd4jPath() {
    nativeWasEnabled = NativeTiles.isEnabled();
    NativeTiles.setEnabled(false);
  }

  @AfterAll
  static void restore() {
    NativeTiles.setEnabled(nativeWasEnabled);
  }
}
