package dev.contrastive.core.loss.reference;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every case of {@link FusedLossEquivalenceTest} again with the native tile kernel switched off, so
 * the pure ND4J path (the fallback, and the path on other backends) meets the same float32
 * references.
 */
@ExtendWith(NativeTilesOff.class)
class FusedLossNd4jPathEquivalenceTest extends FusedLossEquivalenceTest {}
