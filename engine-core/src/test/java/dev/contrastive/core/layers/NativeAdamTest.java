package dev.contrastive.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The one-sweep Adam kernel against a float64 loop of its formula; which arrays it accepts. */
class NativeAdamTest {

    @BeforeEach
    void requireLibrary() {
        assumeTrue(NativeLayers.isLoaded(), "native library not loaded");
        NativeLayers.setEnabled(true);
    }

    @Test
    void updateMatchesTheFormulaAcrossThreadSplits() {
        SplittableRandom rnd = new SplittableRandom(4);
        // Below and above the size at which the update is split across threads.
        for (int n : new int[] {1, 17, 300_001}) {
            float[] p = random(rnd, n);
            float[] g = random(rnd, n);
            float[] m = random(rnd, n);
            float[] v = random(rnd, n);
            for (int i = 0; i < n; i++) {
                v[i] = Math.abs(v[i]);
            }
            INDArray pa = Nd4j.createFromArray(p);
            INDArray ma = Nd4j.createFromArray(m);
            INDArray va = Nd4j.createFromArray(v);
            NativeAdam.step(
                    pa,
                    Nd4j.createFromArray(g),
                    ma,
                    va,
                    0.7f,
                    0.01f,
                    0.999f,
                    0.9f,
                    0.1f,
                    0.999f,
                    0.001f,
                    0.3f,
                    1e-8f,
                    1e-3f);
            for (int i = 0; i < n; i += Math.max(1, n / 1000)) {
                double d = g[i] * 0.7 + 0.01 * p[i];
                double mi = 0.9 * m[i] + 0.1 * d;
                double vi = 0.999 * v[i] + 0.001 * d * d;
                double pi = p[i] * 0.999 - 1e-3 * mi / (Math.sqrt(vi) / 0.3 + 1e-8);
                assertEquals(mi, ma.getDouble(i), 1e-6 * Math.max(1, Math.abs(mi)), "m[" + i + "] of " + n);
                assertEquals(vi, va.getDouble(i), 1e-6 * Math.max(1, Math.abs(vi)), "v[" + i + "] of " + n);
                assertEquals(pi, pa.getDouble(i), 1e-6 * Math.max(1, Math.abs(pi)), "p[" + i + "] of " + n);
            }
        }
    }

    @Test
    void onlyContiguousFloat32VectorsOfOneLength() {
        INDArray f = Nd4j.zeros(DataType.FLOAT, 8);
        assertTrue(NativeAdam.usable(f, f.dup(), f.dup(), f.dup()));
        assertFalse(NativeAdam.usable(f, Nd4j.zeros(DataType.DOUBLE, 8), f.dup(), f.dup()));
        assertFalse(NativeAdam.usable(f, Nd4j.zeros(DataType.FLOAT, 9), f.dup(), f.dup()));
        INDArray strided = Nd4j.zeros(DataType.FLOAT, 16).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 16));
        assertFalse(NativeAdam.usable(f, strided, f.dup(), f.dup()));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> NativeAdam.step(
                        f, Nd4j.zeros(DataType.DOUBLE, 8), f, f, 1, 0, 1, 0.9f, 0.1f, 0.999f, 0.001f, 1, 1e-8f, 1e-3f));
        assertTrue(e.getMessage().startsWith("adam kernel needs contiguous rank-1 FLOAT arrays"), e.getMessage());
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        return x;
    }
}
