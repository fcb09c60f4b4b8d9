package dev.contrastive.models.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.contrastive.models.nn.GradCheck;
import dev.contrastive.models.nn.Parameters;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What the export tests share (engine-cli's too, through the test-jar): weights that make every
 * branch matter, ONNX Runtime sessions, runs at full batch and one image at a time, and the
 * relative difference to ND4J's result.
 */
public final class OnnxRuntimeRun {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private OnnxRuntimeRun() {}

    /**
     * Noise of +-0.05 on every trainable value (the zero-initialised last convolutions of residual
     * branches would otherwise hide their branch), running means in +-0.2 and running variances in
     * [0.5, 1.5] (the initial 0 and 1 would let a graph that skipped them pass).
     */
    static void perturb(Parameters p, SplittableRandom rnd) {
        INDArray values = p.flatValues();
        values.addi(GradCheck.randomOf(values.dataType(), rnd, 0.05, values.length()));
        for (Parameters.Tensor t : p.all()) {
            if (t.name().endsWith(".running_mean")) {
                t.value().assign(GradCheck.randomOf(t.value().dataType(), rnd, 0.2, t.shape()));
            } else if (t.name().endsWith(".running_var")) {
                t.value()
                        .assign(GradCheck.randomOf(t.value().dataType(), rnd, 0.5, t.shape())
                                .addi(1));
            }
        }
    }

    /**
     * A session on one thread (the machine is shared), with ONNX Runtime's default graph
     * optimisations.
     */
    public static OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return ENV.createSession(model, options);
        }
    }

    /** The model's single output for {@code x} as one call, flattened in C order. */
    public static float[] run(OrtSession session, INDArray x) throws OrtException {
        float[] pixels = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        String input = session.getInputNames().iterator().next();
        try (OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(pixels), x.shape());
                OrtSession.Result r = session.run(Map.of(input, in))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    /** {@link #run} one sample at a time, the outputs concatenated. */
    public static float[] runOneByOne(OrtSession session, INDArray x) throws OrtException {
        long n = x.size(0);
        float[] all = null;
        for (long i = 0; i < n; i++) {
            float[] one = run(session, x.get(NDArrayIndex.interval(i, i + 1)));
            if (all == null) {
                all = new float[Math.toIntExact(one.length * n)];
            }
            System.arraycopy(one, 0, all, Math.toIntExact(i * one.length), one.length);
        }
        return all;
    }

    /**
     * max |expected - actual| / max |expected|: a scale-free error for outputs whose size depends on
     * the random weights.
     *
     * @throws AssertionError if the element counts differ
     */
    public static double relativeDifference(INDArray expected, float[] actual) {
        float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
        if (e.length != actual.length) {
            throw new AssertionError("ONNX Runtime gave " + actual.length + " values, ND4J " + e.length);
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            diff = Math.max(diff, Math.abs(e[i] - actual[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        if (scale == 0) {
            throw new AssertionError("the expected output is all zeros: the test would prove nothing");
        }
        return diff / scale;
    }
}
