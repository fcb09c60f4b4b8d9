package dev.contrastive.models.encoder;

import dev.contrastive.models.nn.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A second implementation of the CPC v2 model as a SameDiff graph with automatic differentiation,
 * written from the architecture description, weights copied by name from a CpcEncoder. Patches are
 * strided slices stacked along a new axis, LayerNorm is SameDiff mean/sub/mul, the context's top
 * padding a concatenation with a zero row.
 */
final class CpcSameDiffReference extends SameDiffReference {

    private final CpcConfig cfg;
    private final List<String> predNames = new ArrayList<>();

    CpcSameDiffReference(CpcConfig cfg, Parameters params, INDArray input) {
        super(params, input);
        this.cfg = cfg;
        SDVariable x = input(input);
        int g = cfg.grid();
        int p = cfg.patchSize();
        int st = cfg.patchStride();
        SDVariable[] cells = new SDVariable[g * g];
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                cells[i * g + j] = x.get(
                        SDIndex.all(),
                        SDIndex.all(),
                        SDIndex.interval(i * st, i * st + p),
                        SDIndex.interval(j * st, j * st + p));
            }
        }
        SDVariable h = sd.stack(1, cells).reshape(batch * g * g, cfg.inChannels(), p, p);
        int w = cfg.width();
        h = sd.nn().relu(layerNorm("encoder.stem.ln", conv("encoder.stem.conv", h, 3, 3, 1, 1, 1, false)), 0);
        int in = w;
        for (int stage = 0; stage < 3; stage++) {
            int out = w << stage;
            for (int b = 0; b < cfg.blocksPerStage(); b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                String n = "encoder.stage" + stage + ".block" + b;
                SDVariable r = sd.nn().relu(layerNorm(n + ".ln1", conv(n + ".conv1", h, 3, 3, stride, 1, 1, false)), 0);
                r = layerNorm(n + ".ln2", conv(n + ".conv2", r, 3, 3, 1, 1, 1, false));
                SDVariable sc = in == out && stride == 1
                        ? h
                        : layerNorm(n + ".shortcut.ln", conv(n + ".shortcut.conv", h, 1, 1, stride, 0, 0, false));
                h = sd.nn().relu(r.add(sc), 0);
                in = out;
            }
        }
        int d = cfg.latentDim();
        SDVariable z =
                h.mean(2, 3).reshape(batch, (long) g * g, d).permute(0, 2, 1).reshape(batch, d, g, g);
        z.rename("latents");
        SDVariable c = z;
        int hc = cfg.contextChannels();
        for (int b = 0; b < CpcConfig.CONTEXT_BLOCKS; b++) {
            String n = "context.block" + b;
            SDVariable t = sd.nn().relu(conv(n + ".conv1", c, 1, 1, 1, 0, 0, true), 0);
            t = conv(n + ".conv2", t, 1, 3, 1, 0, 1, true);
            t = sd.concat(2, sd.constant(Nd4j.zeros(params.dataType(), batch, hc, 1, g)), t);
            t = sd.nn().relu(conv(n + ".conv3", t, 2, 1, 1, 0, 0, true), 0);
            t = conv(n + ".conv4", t, 1, 1, 1, 0, 0, true);
            c = c.add(t);
        }
        c = sd.nn().relu(c, 0);
        conv("z2target", z, 1, 1, 1, 0, 0, true).rename("targets");
        for (int s = 0; s < cfg.predictionSteps(); s++) {
            String name = "pred" + s;
            conv("ctx2pred." + s, c, 1, 1, 1, 0, 0, true).rename(name);
            predNames.add(name);
        }
    }

    List<String> outputNames() {
        List<String> names = new ArrayList<>(List.of("latents", "targets"));
        names.addAll(predNames);
        return names;
    }

    Map<String, INDArray> outputs() {
        return sd.output(Map.of(), outputNames().toArray(new String[0]));
    }

    /** Gradients of sum(wz * latents) + sum(wt * targets) + sum_s sum(wp_s * pred_s). */
    Map<String, INDArray> gradients(INDArray wz, INDArray wt, List<INDArray> wp) {
        SDVariable loss = sd.getVariable("latents")
                .mul(sd.constant(wz))
                .sum()
                .add(sd.getVariable("targets").mul(sd.constant(wt)).sum());
        for (int s = 0; s < wp.size(); s++) {
            loss = loss.add(
                    sd.getVariable(predNames.get(s)).mul(sd.constant(wp.get(s))).sum());
        }
        return gradients(loss);
    }

    /** GroupNorm(1, C): statistics per sample over (C, H, W), per-channel affine. */
    private SDVariable layerNorm(String name, SDVariable in) {
        return normalise(name, in, 1, 2, 3);
    }
}
