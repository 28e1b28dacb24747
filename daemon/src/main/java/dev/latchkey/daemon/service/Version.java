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
