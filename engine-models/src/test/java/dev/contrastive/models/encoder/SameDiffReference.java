package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * What the SameDiff second implementations of the encoders share: a graph whose input "x" is a
 * variable (so that its gradient is returned), weights copied by torch state_dict name from the
 * encoder's {@link Parameters}, convolutions, normalisation from SameDiff mean/sub/mul ops, and the
 * gradients of a loss back in the encoder's layouts.
 *
 * <p>Convolution weights are held in SameDiff's default [kH, kW, iC, oC] layout (permuted from
 * torch's [oC, iC, kH, kW], gradients permuted back): with {@code WeightsFormat.OIYX} the M2.1
 * SameDiff conv2d backward builds its conv2d_bp without the weight-format argument and fails shape
 * validation ("expected is [B, 1, 7, 7], but got [B, 16, 7, 7]" for a 1x1 conv).
 */
abstract class SameDiffReference {

    final SameDiff sd = SameDiff.create();

    /** SameDiff variable name of each encoder tensor the graph uses, by the encoder's name. */
    final Map<String, String> varOf = new LinkedHashMap<>();

    final Parameters params;
    final long batch;
    private final Set<String> permuted = new HashSet<>();

    SameDiffReference(Parameters params, INDArray input) {
        this.params = params;
        this.batch = input.size(0);
    }

    /** The input variable, "x", holding a copy of {@code input}. */
    final SDVariable input(INDArray input) {
        return sd.var("x", input.dup());
    }

    /** Gradients of {@code loss} with respect to every copied weight and the input "x". */
    final Map<String, INDArray> gradients(SDVariable loss) {
        sd.setLossVariables(loss);
        List<String> wrt = new ArrayList<>(varOf.values());
        wrt.add("x");
        Map<String, INDArray> grads = new LinkedHashMap<>(sd.calculateGradients(Map.of(), wrt));
        for (String v : permuted) {
            grads.put(v, grads.get(v).permute(3, 2, 0, 1).dup('c'));
        }
        return grads;
    }

    /** The gradient in {@code grads} of each encoder tensor, by the encoder's name. */
    final Function<String, INDArray> gradientOf(Map<String, INDArray> grads) {
        return name -> grads.get(varOf.get(name));
    }

    /** The encoder's tensor {@code name} as a variable. */
    final SDVariable param(String name) {
        String v = name.replace('.', '_');
        varOf.put(name, v);
        return sd.var(v, params.get(name).value().dup());
    }

    /** Encoder conv {@code name}: its weight, and its bias if {@code bias}; zero padding pH, pW. */
    SDVariable conv(String name, SDVariable in, int kH, int kW, int s, int pH, int pW, boolean bias) {
        Conv2DConfig c = Conv2DConfig.builder()
                .kH(kH)
                .kW(kW)
                .sH(s)
                .sW(s)
                .pH(pH)
                .pW(pW)
                .dH(1)
                .dW(1)
                .paddingMode(PaddingMode.VALID)
                .dataFormat("NCHW")
                .weightsFormat(WeightsFormat.YXIO)
                .build();
        String wName = name + ".weight";
        String v = wName.replace('.', '_');
        varOf.put(wName, v);
        permuted.add(v);
        SDVariable w = sd.var(v, params.get(wName).value().permute(2, 3, 1, 0).dup('c'));
        return bias
                ? sd.cnn().conv2d(in, w, param(name + ".bias"), c)
                : sd.cnn().conv2d(in, w, c);
    }

    /**
     * Normalisation with statistics over {@code axes} (biased variance, eps 1e-5) and the per-channel
     * affine of encoder layer {@code name}.
     */
    final SDVariable normalise(String name, SDVariable in, int... axes) {
        SDVariable mean = in.mean(true, axes);
        SDVariable centred = in.sub(mean);
        SDVariable var = centred.mul(centred).mean(true, axes);
        SDVariable xhat = centred.mul(sd.math().pow(var.add(1e-5), -0.5));
        long c = params.get(name + ".weight").value().length();
        return xhat.mul(param(name + ".weight").reshape(1, c, 1, 1))
                .add(param(name + ".bias").reshape(1, c, 1, 1));
    }
}
