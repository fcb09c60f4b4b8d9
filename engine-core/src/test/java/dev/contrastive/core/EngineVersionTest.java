package dev.contrastive.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EngineVersionTest {

    @Test
    void isTheVersionMavenBuilt() {
        String v = EngineVersion.get();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), v);
    }
}
