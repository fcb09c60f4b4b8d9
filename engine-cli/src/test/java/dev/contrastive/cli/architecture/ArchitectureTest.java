package dev.contrastive.cli.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure the modules promise, checked on their compiled classes (this module sees every one
 * but engine-bench, which nothing may depend on and Maven's module graph already keeps at the top):
 * core <- augment <- models <- cli, each module's packages free of cycles, and the libraries free
 * of the command line's stack.
 */
class ArchitectureTest {

    private static JavaClasses engine;

    @BeforeAll
    static void importTheEngine() {
        engine = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar")) // the modules' test fixtures
                .importPackages("dev.contrastive");
    }

    @Test
    void everyModuleIsImported() {
        for (String module : new String[] {"core", "augment", "models", "cli"}) {
            assertTrue(
                    engine.stream().anyMatch(c -> c.getPackageName().startsWith("dev.contrastive." + module + ".")),
                    "no class of dev.contrastive." + module + " was imported: the rules below would hold vacuously");
        }
    }

    @Test
    void modulesDependOnlyDownwards() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("core")
                .definedBy("dev.contrastive.core..")
                .layer("augment")
                .definedBy("dev.contrastive.augment..")
                .layer("models")
                .definedBy("dev.contrastive.models..")
                .layer("cli")
                .definedBy("dev.contrastive.cli..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("models")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("augment")
                .mayOnlyBeAccessedByLayers("models", "cli")
                .whereLayer("core")
                .mayOnlyBeAccessedByLayers("augment", "models", "cli")
                .check(engine);
    }

    /**
     * One slice per package (core.loss, core.kernel, cli, cli.loss, ...), so no two packages import
     * each other.
     */
    @Test
    void noPackageCycles() {
        slices().matching("dev.contrastive.(**)").should().beFreeOfCycles().check(engine);
    }

    @Test
    void theLibrariesDoNotUseTheCommandLinesStack() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.contrastive.core..", "dev.contrastive.augment..", "dev.contrastive.models..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "picocli..",
                        "me.tongfei.progressbar..",
                        "org.knowm.xchart..",
                        "ch.qos.logback..",
                        "com.fasterxml.jackson..",
                        "org.junit..")
                .check(engine);
    }
}
