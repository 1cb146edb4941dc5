package io.leadflame.architecture;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.leadflame.api.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape the code must keep (issue 17): the scoring core is plain Java that any caller can
 * use (no actor, no JSON library: the API's JSON shapes are in {@code api}), one JSON mapper,
 * and packages that depend on each other without a cycle, so each can be read, tested and
 * changed from the inside out.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.leadflame");
    }

    @Test
    void theScoringCoreUsesNeitherPekkoNorJackson() {
        noClasses().that().resideInAPackage("io.leadflame.scoring..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "com.fasterxml..", "scala..")
                .because("the score is a pure function: model + history + time")
                .check(main);
    }

    @Test
    void theScoringCoreDependsOnNoOtherPackageOfTheService() {
        noClasses().that().resideInAPackage("io.leadflame.scoring")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.leadflame.scoring", "java..")
                .check(main);
    }

    @Test
    void oneObjectMapperServesTheWholeService() {
        noClasses().that().doNotHaveFullyQualifiedName(Json.class.getName())
                .should().callConstructor(ObjectMapper.class)
                .because("one configuration reads and writes every JSON the service handles (api.Json)")
                .check(main);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.leadflame.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void nothingDependsOnTheRootPackageWhichOnlyWires() {
        noClasses().that().resideOutsideOfPackage("io.leadflame")
                .should().dependOnClassesThat().resideInAPackage("io.leadflame")
                .check(main);
    }
}
