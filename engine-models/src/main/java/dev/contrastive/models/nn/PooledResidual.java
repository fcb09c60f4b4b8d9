package dev.contrastive.models.nn;

import dev.contrastive.core.layers.NativeLayers;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AMDIM's ConvResNxN sum, {@code branch(x) + pad(avg_pool2d(x, k, s))}: the shortcut average-pools
 * the block input (window k, stride s, no padding; the identity for k = s = 1) and appends zero
 * channels up to the branch's width, as amdim's {@code F.pad}.
 *
 * <p>Float32 CPU input takes one native sweep per direction ({@link
 * NativeLayers#addPooledShortcut}, {@link NativeLayers#pooledShortcutGradient}) where the
 * composition takes five: pooling, the zero-padded copy and the add forward, the slice copy, the
 * pooling backward and the add backward. Everything else runs that composition of {@link Pool2d},
 * {@link ChannelPad} and {@link Residual}, which the native path is tested against.
 */
public final class PooledResidual implements Module {

    private final Arena arena;
    private final Module branch;
    private final int kernel;
    private final int stride;
    private final Residual composition;
    private boolean nativeLast;

    /**
     * @param in block input channels
     * @param out branch output channels, >= in
     * @param kernel pooling window, >= 1
     * @param stride pooling stride, >= 1
     */
    public PooledResidual(Arena arena, Module branch, int in, int out, int kernel, int stride) {
        this.arena = arena;
        this.branch = branch;
        this.kernel = kernel;
        this.stride = stride;
        List<Module> shortcut = new ArrayList<>();
        if (kernel != 1 || stride != 1) {
            shortcut.add(new Pool2d(arena, Pool2d.Kind.AVG, kernel, stride, 0));
        }
        if (out > in) {
            shortcut.add(new ChannelPad(arena, in, out));
        }
        composition = new Residual(arena, branch, shortcut.isEmpty() ? new Identity() : new Sequential(shortcut));
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        nativeLast = NativeLayers.usable(x);
        if (!nativeLast) {
            return composition.forward(x, training);
        }
        INDArray b = arena.nativeReadable(branch.forward(x, training));
        INDArray y = arena.own(b.ulike());
        NativeLayers.addPooledShortcut(b, x, kernel, stride, y);
        return y;
    }

    @Override
    public INDArray backward(INDArray dy) {
        if (!nativeLast) {
            return composition.backward(dy);
        }
        INDArray g = arena.nativeReadable(dy);
        INDArray branchGradient = arena.nativeReadable(branch.backward(g));
        INDArray dx = arena.own(branchGradient.ulike());
        NativeLayers.pooledShortcutGradient(g, kernel, stride, branchGradient, dx);
        return dx;
    }

    /** The composition's nodes: the native sweep computes the same sum. */
    @Override
    public String emit(OnnxGraph g, String input) {
        return composition.emit(g, input);
    }
}
