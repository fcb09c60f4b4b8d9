package dev.contrastive.core.loss.reference;

import dev.contrastive.core.kernel.NativeTiles;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Switches the native tile kernel off for a test class and back to what it was afterwards, so that
 * a subclass runs every case of its suite on the pure ND4J path (the fallback, and the path on
 * other backends).
 */
final class NativeTilesOff implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace STATE = ExtensionContext.Namespace.create(NativeTilesOff.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(STATE).put("nativeWasEnabled", NativeTiles.isEnabled());
        NativeTiles.setEnabled(false);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        NativeTiles.setEnabled(context.getStore(STATE).get("nativeWasEnabled", Boolean.class));
    }
}
