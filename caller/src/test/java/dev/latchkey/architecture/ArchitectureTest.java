package dev.latchkey.architecture;

import com.sun.jna.Library;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of docs/architecture.md, as rules a change that breaks it fails: the modules' arrows,
 * the layers inside the daemon side, the seams a front door and a store plug into, and no cycles
 * between packages.
 */
class ArchitectureTest {
    /** The main code of every module: neither test classes nor the daemon's test jar, which this module's tests see too. */
    private static final JavaClasses CODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.latchkey");

    /** The JDK: its public API, and the JDK-specific parts latchkey uses (a socket peer's credentials, the user's uid). */
    private static final String[] JDK = {"java..", "jdk.net..", "com.sun.security.auth.module.."};
    private static final String JACKSON = "com.fasterxml.jackson..";

    private static String[] with(String... packages) {
        return Stream.concat(Arrays.stream(packages), Arrays.stream(JDK)).toArray(String[]::new);
    }

    // ---- the modules: client -> protocol <- daemon; the caller program may use both ----

    @Test
    void theProtocolDependsOnNothingOfLatchkeysButItself() {
        classes().that().resideInAPackage("dev.latchkey.protocol..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(with("dev.latchkey.protocol..", JACKSON))
                .check(CODE);
    }

    @Test
    void theClientLibraryDependsOnTheProtocolOnly() {
        classes().that().resideInAPackage("dev.latchkey.client..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(with("dev.latchkey.client..", "dev.latchkey.protocol..", JACKSON))
                .check(CODE);
    }

    @Test
    void theDaemonSideDependsOnTheProtocolOnlyNeverOnTheClientOrTheCaller() {
        noClasses().that().resideInAPackage("dev.latchkey.daemon..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.latchkey.client..", "dev.latchkey.caller..")
                .check(CODE);
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("dev.latchkey.(**)").should().beFreeOfCycles().check(CODE);
    }

    // ---- inside the daemon side ----

    @Test
    void frontDoorsAndTheServerKnowTheServiceNeverAStore() {
        noClasses().that().resideInAnyPackage("dev.latchkey.daemon.door..", "dev.latchkey.daemon.doors..", "dev.latchkey.daemon.server..")
                .should().dependOnClassesThat().resideInAPackage("dev.latchkey.daemon.store..")
                .check(CODE);
    }

    @Test
    void storesKnowTheSpiAndTheirBackendNeverAFrontDoorTheServiceOrTheWire() {
        noClasses().that().resideInAPackage("dev.latchkey.daemon.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.latchkey.daemon.door..", "dev.latchkey.daemon.doors..",
                        "dev.latchkey.daemon.server..", "dev.latchkey.daemon.service..", JACKSON)
                .orShould().dependOnClassesThat().haveSimpleNameEndingWith("Codec")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.latchkey.protocol.Request")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.latchkey.protocol.Response")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.latchkey.protocol.CredentialException")
                .check(CODE);
    }

    @Test
    void nativeCodeIsBoundOnlyWhereItIsNeeded() {
        noClasses().that().resideOutsideOfPackages("dev.latchkey.daemon.store.secretservice..", "dev.latchkey.daemon.store.macos..",
                        "dev.latchkey.daemon.store.wincred..", "dev.latchkey.daemon.jna..", "dev.latchkey.daemon.server..",
                        "dev.latchkey.caller.exec..")
                .should().dependOnClassesThat().resideInAPackage("com.sun.jna..")
                .because("JNA serves the keychain stores, the daemon's look at a peer's pid, and exec's signals; nothing else")
                .check(CODE);
    }

    @Test
    void aRawNativeBindingIsUsedOnlyByTheSafeWrapperBesideIt() {
        classes().that().areAssignableTo(Library.class)
                .should(new ArchCondition<>("be used only in their own package") {
                    @Override
                    public void check(JavaClass binding,
                                      ConditionEvents events) {
                        for (Dependency use : binding.getDirectDependenciesToSelf()) {
                            if (!use.getOriginClass().getPackageName().equals(binding.getPackageName())) {
                                events.add(SimpleConditionEvent.violated(use, use.getDescription()));
                            }
                        }
                    }
                })
                .check(CODE);
    }

    @Test
    void aFrontDoorNeedsNoOtherDoorButTheLatchkeyProtocolsOwn() {
        for (String door : new String[] {"cargo", "cli", "git", "docker", "keyring", "npm", "latchkey"}) {
            noClasses().that().resideInAPackage("dev.latchkey.daemon.door." + door + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(otherDoorsThan(door))
                    .allowEmptyShould(true)
                    .check(CODE);
        }
    }

    /** The door packages {@code door} must not use: every other one, but the latchkey protocol's, which cargo's dialect and the CLI speak. */
    private static String[] otherDoorsThan(String door) {
        return Stream.of("cargo", "cli", "git", "docker", "keyring", "npm", "latchkey")
                .filter(other -> !other.equals(door) && !other.equals("latchkey"))
                .map(other -> "dev.latchkey.daemon.door." + other + "..")
                .toArray(String[]::new);
    }

    @Test
    void configurationIsPlainValuesThatKnowNoServiceStoreOrTransport() {
        noClasses().that().resideInAPackage("dev.latchkey.daemon.config..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.latchkey.daemon.store..", "dev.latchkey.daemon.service..",
                        "dev.latchkey.daemon.door..", "dev.latchkey.daemon.server..")
                .check(CODE);
    }

    @Test
    void aStoreIsItsOwnPackageAndUsesNoOtherStoreButTheKeychainsItBuildsOn() {
        slices().matching("dev.latchkey.daemon.store.(*)..").should().notDependOnEachOther()
                .ignoreDependency(inStore("secretservice", "macos", "wincred", "encrypted"), inStore("keychain"))
                .ignoreDependency(inStore("encrypted"), inStore("secretservice")) // its key, kept in the Secret Service
                .check(CODE);
    }

    private static DescribedPredicate<JavaClass> inStore(String... stores) {
        Set<String> packages = new HashSet<>();
        for (String store : stores) {
            packages.add("dev.latchkey.daemon.store." + store);
        }
        return DescribedPredicate.describe("the " + String.join(", ", stores) + " store",
                c -> packages.contains(c.getPackageName()));
    }
}
