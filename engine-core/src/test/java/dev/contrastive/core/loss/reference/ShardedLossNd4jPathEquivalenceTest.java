package dev.contrastive.core.loss.reference;

import dev.contrastive.core.kernel.NativeTiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every case of {@link ShardedLossEquivalenceTest} again with the native tile kernel switched off, so
 * the shards of the pure ND4J path (the fallback, and the path on other backends) combine too.
 */
class ShardedLossNd4jPathEquivalenceTest extends ShardedLossEquivalenceTest {

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
