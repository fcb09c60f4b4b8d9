package dev.contrastive.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloseablesTest {

    private final List<String> closed = new ArrayList<>();

    /** Records {@code name} as closed, then throws what {@code failures} holds for it, if anything. */
    private Closeables.Closer<String, IOException> closer(Map<String, Exception> failures) {
        return name -> {
            closed.add(name);
            Exception e = failures.get(name);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
        };
    }

    @Test
    void closesEveryItemInOrder() throws IOException {
        Closeables.closeAll(List.of("a", "b", "c"), IOException.class, closer(Map.of()));
        assertEquals(List.of("a", "b", "c"), closed);
    }

    @Test
    void throwsTheFirstFailureAfterClosingTheRestWithTheLaterOnesSuppressed() {
        IOException b = new IOException("b");
        IOException c = new IOException("c");
        IOException thrown = assertThrows(
                IOException.class,
                () -> Closeables.closeAll(
                        List.of("a", "b", "c", "d"), IOException.class, closer(Map.of("b", b, "c", c))));
        assertSame(b, thrown);
        assertArrayEquals(new Throwable[] {c}, thrown.getSuppressed());
        assertEquals(List.of("a", "b", "c", "d"), closed);
    }

    @Test
    void uncheckedFailuresAreCollectedWhenTheyAreTheFailureType() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalStateException c = new IllegalStateException("c");
        Map<String, RuntimeException> failures = Map.of("a", a, "c", c);
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> Closeables.closeAll(List.of("a", "b", "c"), RuntimeException.class, name -> {
                    closed.add(name);
                    if (failures.containsKey(name)) {
                        throw failures.get(name);
                    }
                }));
        assertSame(a, thrown);
        assertArrayEquals(new Throwable[] {c}, thrown.getSuppressed());
        assertEquals(List.of("a", "b", "c"), closed);
    }

    @Test
    void anotherExceptionPropagatesAtOnce() {
        IllegalStateException bug = new IllegalStateException("bug");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> Closeables.closeAll(List.of("a", "b", "c"), IOException.class, closer(Map.of("b", bug))));
        assertSame(bug, thrown);
        assertEquals(List.of("a", "b"), closed);
    }
}
