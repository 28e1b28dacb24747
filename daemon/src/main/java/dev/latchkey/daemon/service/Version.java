package dev.latchkey.daemon.service;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * This build's version: from the jar's manifest, which the JVM has read already; else (classes
 * run from a directory) from the properties file Maven fills in. Reading a resource from the jar
 * would open the jar a second time, some 5 ms of every provider process.
 */
public final class Version {
    private Version() {
    }

    /**
     * What {@code latchkey --version} prints: the version, the commit the build was made from (from
     * the build.properties the build writes; "unknown" elsewhere) and the Java runtime.
     */
    public static String described() {
        String commit = "unknown";
        try (InputStream in = Version.class.getResourceAsStream("/dev/latchkey/build.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                commit = p.getProperty("commit", commit);
            }
        } catch (IOException e) {
            // said as unknown
        }
        return "latchkey " + current() + " (commit " + commit + ", Java " + System.getProperty("java.runtime.version") + " "
                + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ")";
    }

    public static String current() {
        String fromManifest = Version.class.getPackage().getImplementationVersion();
        if (fromManifest != null) {
            return fromManifest;
        }
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
